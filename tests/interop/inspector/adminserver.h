// Node's instrumented server (node/admin-server.mjs: socket.io 4.8 + @socket.io/admin-ui
// 0.5.1) with its demo clients, driven through stdin, for the Inspector's tests.
#pragma once

#include "../peerprocess.h"
#include "inspectortest.h"

#include <QtCore/QJsonArray>
#include <QtCore/QUrl>

class AdminServer
{
public:
    AdminServer()
        : peer(QStringLiteral(INTEROP_NODE_EXECUTABLE), QStringLiteral(INTEROP_NODE_DIR))
    {}
    ~AdminServer()
    {
        if (peer.process.state() == QProcess::Running)
            peer.process.write("quit\n");
        peer.process.waitForFinished(3000); // teardown only
    }

    // Starts it and waits for "listening" (and "ready" when there are clients).
    bool start(const QStringList &arguments, int clients = 0)
    {
        QStringList args{QStringLiteral("admin-server.mjs")};
        args += arguments;
        if (clients > 0)
            args += {QStringLiteral("--clients"), QString::number(clients)};
        peer.process.setArguments(args);
        peer.process.start();
        if (!peer.process.waitForStarted(10000)) // the child only; no server runs here
            return false;
        const QString wanted = clients > 0 ? QStringLiteral("ready") : QStringLiteral("listening");
        waitUntil([&] {
            return !peer.first(wanted).isEmpty() || peer.process.state() != QProcess::Running;
        });
        port = peer.first(u"listening").value(QLatin1String("port")).toInt();
        return port > 0 && !peer.first(wanted).isEmpty();
    }

    // Sends a stdin command and waits for its "done" line.
    bool command(const QByteArray &line)
    {
        const qsizetype before = doneCount();
        peer.process.write(line + '\n');
        return waitUntil([&] { return doneCount() > before; });
    }

    qsizetype doneCount() const
    {
        qsizetype n = 0;
        for (const QJsonObject &e : peer.events())
            n += e.value(QLatin1String("event")).toString() == u"done";
        return n;
    }

    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)); }

    PeerProcess peer;
    int port = 0;
};
