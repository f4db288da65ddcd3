// One headless Chromium with a fresh profile, loading one URL, for the tests that run the
// official browser clients (the Socket.IO client, the Admin UI). It keeps running until stopped.
#pragma once

#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

class Chromium
{
public:
    explicit Chromium(const QString &executable)
    {
        process.setProgram(executable);
        process.setProcessChannelMode(QProcess::SeparateChannels);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process,
                         [this] { out += process.readAllStandardOutput(); });
        QObject::connect(&process, &QProcess::readyReadStandardError, &process,
                         [this] { err += process.readAllStandardError(); });
    }
    ~Chromium() { stop(); }

    // `extraArguments` go before the URL (e.g. --dump-dom, which makes Chromium print the DOM
    // and exit).
    void start(const QString &url, const QStringList &extraArguments = {})
    {
        QStringList arguments({
            QStringLiteral("--headless"),
            QStringLiteral("--no-sandbox"),
            QStringLiteral("--disable-gpu"),
            QStringLiteral("--disable-quic"),
            QStringLiteral("--no-first-run"),
            QStringLiteral("--disable-background-networking"),
            QStringLiteral("--disable-component-update"),
            QStringLiteral("--disable-sync"),
            QStringLiteral("--disable-dev-shm-usage"),
            QStringLiteral("--no-proxy-server"),
            QStringLiteral("--enable-logging=stderr"),
            QStringLiteral("--user-data-dir=%1").arg(profile.path()),
        });
        process.setArguments(arguments << extraArguments << url);
        process.start();
    }

    // SIGTERM lets the browser take its child processes down; the wait keeps the event loop
    // running. SIGKILL only if it does not go.
    void stop()
    {
        if (process.state() == QProcess::NotRunning)
            return;
        QSignalSpy finished(&process, &QProcess::finished);
        process.terminate();
        if (!QTest::qWaitFor([&] { return finished.count() > 0; }, 10'000)) {
            process.kill();
            process.waitForFinished(5000); // teardown only
        }
    }

    QString log() const
    {
        // Chromium's stderr is chatty: keep the console lines and the errors.
        QStringList lines;
        for (const QByteArray &line : err.split('\n')) {
            if (line.contains("CONSOLE") || line.contains("ERROR") || line.contains("rror:"))
                lines.append(QString::fromUtf8(line));
        }
        return QStringLiteral("\n%1 %2\n--- chromium stderr (console and errors) ---\n%3\n")
            .arg(process.program(), process.arguments().join(u' '), lines.join(u'\n'));
    }

    QTemporaryDir profile;
    QProcess process;
    QByteArray out;
    QByteArray err;
};
