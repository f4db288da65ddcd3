// The internal mechanisms that server and client code share: one implementation each.
#include "core/asyncchain_p.h"
#include "core/base64id_p.h"
#include "core/guarded_p.h"
#include "emitter.h"
#include "parser/number_p.h"

#include <QtCore/QRegularExpression>
#include <QtTest/QTest>

#include <cmath>
#include <limits>

using namespace SocketIO;

class tst_Mechanisms : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void guardedWithoutContext();
    void guardedDropsWithContext();
    void guardedEmpty();

    void chainRuns_data();
    void chainRuns();
    void chainAnswersLater();
    void chainCountsFirstAnswerOnly();

    void base64Id();

    void isSafeInteger_data();
    void isSafeInteger();

    void emitterWithoutSocket();
};

void tst_Mechanisms::guardedWithoutContext()
{
    int calls = 0;
    const Guarded<std::function<void(int)>> g(nullptr, [&calls](int n) { calls += n; });
    QVERIFY(g.isCallable());
    QVERIFY(g.guard().isAlive());
    g(2);
    QCOMPARE(calls, 2);
}

void tst_Mechanisms::guardedDropsWithContext()
{
    int calls = 0;
    auto *context = new QObject;
    const Guarded<std::function<void()>> g(context, [&calls] { ++calls; });
    const ContextGuard guard = g.guard();
    g();
    QCOMPARE(calls, 1);
    delete context;
    QVERIFY(!g.isCallable());
    QVERIFY(!guard.isAlive());
    g();
    QCOMPARE(calls, 1);
}

void tst_Mechanisms::guardedEmpty()
{
    const Guarded<std::function<void()>> g;
    QVERIFY(!g.isCallable());
    g(); // no function: nothing happens
}

void tst_Mechanisms::chainRuns_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("stopAt"); // -1: every step goes on
    QTest::addColumn<QList<int>>("ran");
    QTest::addColumn<bool>("finished");
    QTest::addRow("empty") << 0 << -1 << QList<int>{} << true;
    QTest::addRow("all go on") << 3 << -1 << QList<int>{0, 1, 2} << true;
    QTest::addRow("first stops") << 3 << 0 << QList<int>{0} << false;
    QTest::addRow("last stops") << 3 << 2 << QList<int>{0, 1, 2} << false;
}

void tst_Mechanisms::chainRuns()
{
    QFETCH(int, count);
    QFETCH(int, stopAt);
    QFETCH(QList<int>, ran);
    QFETCH(bool, finished);
    QList<int> steps;
    bool done = false;
    bool stopped = false;
    AsyncChain::run(
        count,
        [&](qsizetype i, const AsyncChain::Next &next) {
            steps.append(int(i));
            if (i == stopAt)
                stopped = next.end();
            else
                next();
        },
        [&done] { done = true; });
    QCOMPARE(steps, ran);
    QCOMPARE(done, finished);
    QCOMPARE(stopped, stopAt >= 0);
}

void tst_Mechanisms::chainAnswersLater()
{
    std::optional<AsyncChain::Next> pending;
    QList<int> steps;
    bool done = false;
    AsyncChain::run(
        2,
        [&](qsizetype i, const AsyncChain::Next &next) {
            steps.append(int(i));
            pending = next;
        },
        [&done] { done = true; });
    QCOMPARE(steps, QList<int>{0});
    (*pending)();
    QCOMPARE(steps, (QList<int>{0, 1}));
    QVERIFY(!done);
    (*pending)();
    QVERIFY(done);
}

void tst_Mechanisms::chainCountsFirstAnswerOnly()
{
    QList<AsyncChain::Next> answers;
    QList<int> steps;
    int finished = 0;
    AsyncChain::run(
        3,
        [&](qsizetype i, const AsyncChain::Next &next) {
            steps.append(int(i));
            answers.append(next);
        },
        [&finished] { ++finished; });
    answers.at(0)();
    answers.at(0)(); // a second answer of step 0 does not run step 2
    QCOMPARE(steps, (QList<int>{0, 1}));
    QVERIFY(answers.at(1).end());
    QVERIFY(!answers.at(1).end());
    answers.at(1)();
    QCOMPARE(steps, (QList<int>{0, 1}));
    QCOMPARE(finished, 0);
}

void tst_Mechanisms::base64Id()
{
    static const QRegularExpression shape(QStringLiteral("^[A-Za-z0-9_-]{20}$"));
    const QString a = SocketIO::base64Id();
    const QString b = SocketIO::base64Id();
    QVERIFY2(shape.match(a).hasMatch(), qPrintable(a));
    QVERIFY2(shape.match(b).hasMatch(), qPrintable(b));
    QVERIFY(a != b);
}

void tst_Mechanisms::isSafeInteger_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<bool>("safe");
    QTest::addRow("zero") << 0.0 << true;
    QTest::addRow("negative zero") << -0.0 << true;
    QTest::addRow("whole") << 42.0 << true;
    QTest::addRow("negative whole") << -42.0 << true;
    QTest::addRow("fraction") << 1.5 << false;
    QTest::addRow("2^53 - 1") << 9007199254740991.0 << true;
    QTest::addRow("2^53") << 9007199254740992.0 << false;
    QTest::addRow("-2^53") << -9007199254740992.0 << false;
    QTest::addRow("infinity") << std::numeric_limits<double>::infinity() << false;
    QTest::addRow("NaN") << std::numeric_limits<double>::quiet_NaN() << false;
}

void tst_Mechanisms::isSafeInteger()
{
    QFETCH(double, value);
    QFETCH(bool, safe);
    QCOMPARE(SocketIO::isSafeInteger(value), safe);
}

void tst_Mechanisms::emitterWithoutSocket()
{
    const Emitter none;
    QVERIFY(!none.timeout(10).compress(false).asVolatile().emitEvent(QStringLiteral("x")));
}

QTEST_GUILESS_MAIN(tst_Mechanisms)
#include "tst_mechanisms.moc"
