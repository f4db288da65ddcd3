// A real peer (a Node or Python client) run as a child process that prints one JSON object
// per line on stdout. Shared by the interop drivers.
#pragma once

#include <QtCore/QDebug>
#include <QtCore/QDir>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

class PeerProcess
{
public:
    explicit PeerProcess(const QString &program, const QString &workingDirectory = {})
    {
        process.setProgram(program);
        if (!workingDirectory.isEmpty())
            process.setWorkingDirectory(workingDirectory);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process,
                         [this] { out += process.readAllStandardOutput(); });
        QObject::connect(&process, &QProcess::readyReadStandardError, &process,
                         [this] { err += process.readAllStandardError(); });
    }
    ~PeerProcess()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000); // teardown only: the test is over
        }
    }
    PeerProcess(const PeerProcess &) = delete;
    PeerProcess &operator=(const PeerProcess &) = delete;

    QList<QJsonObject> events() const
    {
        QList<QJsonObject> result;
        for (const QByteArray &line : out.split('\n')) {
            const QByteArray trimmed = line.trimmed();
            if (!trimmed.isEmpty())
                result.append(QJsonDocument::fromJson(trimmed).object());
        }
        return result;
    }

    QJsonObject lastEvent() const
    {
        const QList<QJsonObject> all = events();
        return all.isEmpty() ? QJsonObject() : all.last();
    }

    // The first line whose "event" is `name`.
    QJsonObject first(QStringView name) const
    {
        for (const QJsonObject &event : events()) {
            if (event.value(QLatin1String("event")).toString() == name)
                return event;
        }
        return {};
    }

    // The command line, stderr and the last lines of stdout: Qt Test cuts failure messages at
    // 1024 bytes, and the end of a peer's output is what says why it failed.
    QString log() const
    {
        QList<QByteArray> lines = out.split('\n');
        if (!lines.isEmpty() && lines.last().isEmpty())
            lines.removeLast();
        constexpr qsizetype kept = 6;
        QByteArray tail;
        if (lines.size() > kept)
            tail = "(" + QByteArray::number(lines.size() - kept) + " earlier lines)\n";
        for (qsizetype i = std::max<qsizetype>(0, lines.size() - kept); i < lines.size(); ++i)
            tail += lines.at(i).left(200) + '\n';
        return QStringLiteral("\n%1 %2\n--- client stderr ---\n%3--- client stdout ---\n%4")
            .arg(process.program(), process.arguments().join(u' '), QString::fromUtf8(err),
                 QString::fromUtf8(tail));
    }

    // Everything the peer printed, for a warning next to a failure.
    QString fullLog() const
    {
        return QStringLiteral("--- client stdout ---\n%1--- client stderr ---\n%2")
            .arg(QString::fromUtf8(out), QString::fromUtf8(err));
    }

    QProcess process;
    QByteArray out;
    QByteArray err;
};

// Waits for the peer to exit without blocking the event loop (the server under test runs on
// this thread); fails the test when it hangs or does not start.
inline void awaitPeer(PeerProcess &peer, int timeoutMs)
{
    QSignalSpy finished(&peer.process, &QProcess::finished);
    QSignalSpy failed(&peer.process, &QProcess::errorOccurred);
    QVERIFY(finished.isValid());
    QTRY_VERIFY2_WITH_TIMEOUT(finished.count() > 0 || failed.count() > 0, qPrintable(peer.log()),
                              timeoutMs);
    QVERIFY2(failed.isEmpty(),
             qPrintable(QStringLiteral("%1 did not run: %2%3")
                            .arg(peer.process.program(), peer.process.errorString(), peer.log())));
    // Output still buffered when finished() arrived.
    peer.out += peer.process.readAllStandardOutput();
    peer.err += peer.process.readAllStandardError();
}

// Verifies that the peer exited normally with status 0 after reporting "pass" as its last
// line; `context` is appended to the failure message.
inline void verifyPassed(const PeerProcess &peer, const QString &context = {})
{
    const QString log = peer.log() + context;
    if (peer.process.exitStatus() != QProcess::NormalExit || peer.process.exitCode() != 0 ||
        peer.lastEvent().value(QLatin1String("event")).toString() != u"pass")
        qWarning().noquote() << peer.fullLog();
    QVERIFY2(peer.process.exitStatus() == QProcess::NormalExit, qPrintable(log));
    QVERIFY2(peer.lastEvent().value(QLatin1String("event")).toString() == u"pass", qPrintable(log));
    QVERIFY2(peer.process.exitCode() == 0, qPrintable(log));
}

// Fails the test, saying how to mend the setup, when Node or the npm module `module` that a
// driver needs is missing.
inline void verifyNodeSetup(const QString &executable, const QString &nodeDir,
                            const QString &module)
{
    QVERIFY2(
        !executable.isEmpty() && QFileInfo(executable).isExecutable(),
        qPrintable(QStringLiteral("no Node.js executable (NODE_EXECUTABLE=%1, found by CMake at "
                                  "configure time): install Node.js >= 20 and re-run CMake")
                       .arg(executable)));
    const QString modulePath = QStringLiteral("node_modules/") + module;
    QVERIFY2(QFileInfo(QDir(nodeDir).filePath(modulePath)).isDir(),
             qPrintable(QStringLiteral("%1/%2 is missing: run `npm ci` in tests/interop/node.")
                            .arg(nodeDir, modulePath)));
}
