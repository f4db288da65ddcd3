// Thousands of clients connecting, emitting an event with an ack and leaving, against a real
// in-process Server, on each transport and WebSocket engine: every ack arrives exactly once,
// the server ends with no socket and no session, and memory is flat (what the second half of
// the cycles leaves behind is within a small margin of what the first half left). In the
// sanitizer build, LeakSanitizer checks at exit that nothing leaked.
//
// SOCKETIO_CHURN_CYCLES sets the cycles per row (default 1000, 200 under a sanitizer).
#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>
#include <SocketIO/Namespace>
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtCore/QBitArray>
#include <QtCore/QFile>
#include <QtTest/QTest>

#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace SocketIO;

namespace {

// Clients alive at once: a server sees connections overlap, and the loop stays busy.
constexpr int Concurrency = 8;

int cyclesPerRow()
{
    bool ok = false;
    const int n = qEnvironmentVariableIntValue("SOCKETIO_CHURN_CYCLES", &ok);
    if (ok && n >= 2)
        return n;
#ifdef SOCKETIO_SANITIZED
    return 200;
#else
    return 1000;
#endif
}

// Resident set size, from /proc/self/statm.
qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * sysconf(_SC_PAGESIZE) : -1;
}

// Bytes the allocator has handed out and not got back (-1 where unknown).
qint64 heapInUse()
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    const struct mallinfo2 info = mallinfo2();
    return qint64(info.uordblks + info.hblkhd);
#else
    return -1;
#endif
}

// Runs deferred deletions and gives freed memory back, so that measurements compare what is
// still held.
void settle()
{
    for (int i = 0; i < 3; ++i) {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    }
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

// Starts clients until `total` have come and gone, `Concurrency` at a time. Each connects,
// emits "echo" with an ack and ends in one of three ways: a clean disconnect and close, a
// namespace disconnect left to the Manager's deletion, or the Manager deleted outright (the
// server notices the transport going away).
class Churner : public QObject
{
public:
    Churner(const QUrl &url, const ManagerOptions &options)
        : m_url(url)
        , m_options(options)
    {}

    void run(int total)
    {
        m_total += total;
        m_acked.resize(m_total);
        m_ended.resize(m_total);
        while (m_running < Concurrency && m_launched < m_total)
            launch();
    }
    bool isDone() const { return m_finished == m_total; }
    int acks() const { return m_acked.count(true); }
    int finished() const { return m_finished; }
    QStringList failures() const { return m_failures; }

private:
    void launch()
    {
        const int index = m_launched++;
        ++m_running;
        auto *manager = new Manager(m_url, m_options, this);
        ClientSocket *socket = manager->socket();
        connect(socket, &ClientSocket::connected, manager, [this, manager, socket, index] {
            const QVariantList args{qint64(index), QByteArray(index % 64, char(index)),
                                    QVariantMap{{QStringLiteral("churn"), true}}};
            socket->emitEvent(QStringLiteral("echo"), args, manager,
                              [this, manager, socket, index, args](const QString &error,
                                                                   const QVariantList &reply) {
                                  if (!error.isEmpty() || reply != args)
                                      fail(index, QStringLiteral("bad ack: ") + error);
                                  else if (m_acked.testBit(index))
                                      fail(index, QStringLiteral("second ack"));
                                  else
                                      m_acked.setBit(index);
                                  finish(manager, socket, index);
                              });
        });
        connect(socket, &ClientSocket::connectError, manager,
                [this, manager, socket, index](const QString &message) {
                    fail(index, QStringLiteral("connect error: ") + message);
                    finish(manager, socket, index);
                });
        connect(socket, &ClientSocket::disconnected, manager,
                [this, manager, socket, index](const QString &reason) {
                    // Before the ack, a disconnection is a failure of this cycle.
                    if (!m_acked.testBit(index)) {
                        fail(index, QStringLiteral("disconnected: ") + reason);
                        finish(manager, socket, index);
                    }
                });
    }

    void finish(Manager *manager, ClientSocket *socket, int index)
    {
        if (m_ended.testBit(index))
            return;
        m_ended.setBit(index);
        switch (index % 3) {
        case 0:
            socket->disconnectFromServer();
            manager->close();
            break;
        case 1:
            socket->disconnectFromServer();
            break;
        default:
            break;
        }
        manager->deleteLater();
        --m_running;
        ++m_finished;
        if (m_launched < m_total)
            launch();
    }

    void fail(int index, const QString &why)
    {
        if (m_failures.size() < 10)
            m_failures.append(QString::number(index) + QStringLiteral(": ") + why);
    }

    const QUrl m_url;
    const ManagerOptions m_options;
    int m_total = 0;
    int m_launched = 0;
    int m_running = 0;
    int m_finished = 0;
    QBitArray m_acked;
    QBitArray m_ended;
    QStringList m_failures;
};

} // namespace

class tst_Churn : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void churn_data();
    void churn();
};

void tst_Churn::churn_data()
{
    QTest::addColumn<QStringList>("transports");
    QTest::addColumn<QString>("wsEngine");
    const QString polling = QStringLiteral("polling");
    const QString websocket = QStringLiteral("websocket");
    QStringList engines{QStringLiteral("qt")};
#if SOCKETIO_LEAN_ENGINE // the lean engine is not in every build
    engines.prepend(QStringLiteral("lean"));
#endif
    for (const QString &engine : std::as_const(engines)) {
        // Polling with the upgrade: a cycle may end before, during or after it.
        QTest::addRow("polling %s", qPrintable(engine))
            << QStringList{polling, websocket} << engine;
        QTest::addRow("websocket %s", qPrintable(engine)) << QStringList{websocket} << engine;
    }
    QTest::addRow("polling only") << QStringList{polling} << engines.constFirst();
}

void tst_Churn::churn()
{
    QFETCH(QStringList, transports);
    QFETCH(QString, wsEngine);

    ServerOptions serverOptions;
    serverOptions.engine.wsEngine = wsEngine;
    // A client that vanishes without a word is let go within a second and a half.
    serverOptions.engine.pingInterval = 1000;
    serverOptions.engine.pingTimeout = 500;
    Server io(serverOptions);
    int connections = 0;
    int disconnections = 0;
    connect(&io, &Server::connection, this, [&](Socket *socket) {
        ++connections;
        socket->on(QStringLiteral("echo"), socket,
                   [](const QVariantList &args, const Ack &ack) { ack(args); });
        connect(socket, &Socket::disconnected, this, [&] { ++disconnections; });
    });
    QVERIFY(io.listen(QHostAddress::LocalHost, 0));

    ManagerOptions options;
    options.transports = transports;
    options.reconnection = false;
    options.forceNew = true;
    Churner churner(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(io.serverPort())), options);

    const int half = cyclesPerRow() / 2;
    struct Memory
    {
        qint64 resident;
        qint64 heap;
    };
    // Runs `cycles` more, waits until the server holds nothing, and measures.
    auto runHalf = [&](int cycles) -> Memory {
        churner.run(cycles);
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(churner.isDone(), 60'000);
            QTRY_COMPARE_WITH_TIMEOUT(io.sockets()->socketsCount(), 0, 10'000);
            QTRY_COMPARE_WITH_TIMEOUT(io.engine()->clientsCount(), 0, 10'000);
        }();
        settle();
        return {residentBytes(), heapInUse()};
    };

    // A warm-up round first: what the process allocates once and keeps (Qt's lazily built
    // globals, the allocator's arenas, hash tables grown to the most sessions held at once) is
    // not what a cycle leaves behind. Without it the first row measured 827 -> 903 KiB in a CI
    // run, where every other row started at about 920; run for 4000 cycles it reaches the same
    // plateau (907 -> 905 KiB).
    const int warmUp = half;
    runHalf(warmUp);
    if (QTest::currentTestFailed())
        return;
    const Memory first = runHalf(half);
    if (QTest::currentTestFailed())
        return;
    const Memory second = runHalf(half);
    if (QTest::currentTestFailed())
        return;

    QVERIFY2(churner.failures().isEmpty(), qPrintable(churner.failures().join(u'\n')));
    QCOMPARE(churner.acks(), warmUp + 2 * half);
    QCOMPARE(connections, warmUp + 2 * half);
    QTRY_COMPARE(disconnections, warmUp + 2 * half);
    QCOMPARE(io.sockets()->socketsCount(), 0);
    QCOMPARE(io.engine()->clientsCount(), 0);

    qInfo("%d cycles; resident %lld -> %lld KiB, heap in use %lld -> %lld KiB", 2 * half,
          first.resident / 1024, second.resident / 1024, first.heap / 1024, second.heap / 1024);
#ifdef SOCKETIO_SANITIZED
    // The sanitizer's allocator holds freed blocks in quarantine: sizes mean nothing here, and
    // LeakSanitizer checks at exit instead.
    Q_UNUSED(first);
    Q_UNUSED(second);
#else
    // What a cycle leaves behind, even released later by a timer, shows in the heap: the
    // Manager's 10 s single-shot per closed connection held ~400 bytes a cycle until it got a
    // timer of its own (the heap now moves by about 1 KiB over 2000 cycles); the resident size
    // only has to stay within what the allocator's caching moves.
    const qint64 heapMargin = 64 * 1024 + 16 * qint64(half);
    const qint64 residentMargin = 2 * 1024 * 1024;
    if (first.heap >= 0)
        QVERIFY2(second.heap - first.heap <= heapMargin,
                 qPrintable(QStringLiteral("heap grew by %1 bytes over %2 cycles")
                                .arg(second.heap - first.heap)
                                .arg(half)));
    QVERIFY2(second.resident - first.resident <= residentMargin,
             qPrintable(QStringLiteral("resident size grew by %1 bytes over %2 cycles")
                            .arg(second.resident - first.resident)
                            .arg(half)));
#endif
}

QTEST_GUILESS_MAIN(tst_Churn)
#include "tst_churn.moc"
