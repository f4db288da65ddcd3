// What the chat example's tests share: the `chat` program started headless on a free port, and
// a chat user through the Qt client (Manager, ClientSocket).
#pragma once

#include "../exampleclient.h"

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>

#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtTest/QTest>

#include <utility>

// Starts `chat --port 0 --headless` and reads the page's URL from its output into `url`. Fails
// the current test when it does not start.
inline void startChat(QProcess &chat, const QString &executable, QUrl *url)
{
    chat.setProgram(executable);
    chat.setArguments(
        {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--headless")});
    chat.start();
    QVERIFY2(chat.waitForStarted(10'000), qPrintable(chat.errorString()));
    QByteArray output;
    static const QRegularExpression listening(QStringLiteral("open (http://localhost:\\d+/) "));
    QRegularExpressionMatch match;
    QTRY_VERIFY2_WITH_TIMEOUT((output += chat.readAllStandardOutput(),
                               match = listening.match(QString::fromUtf8(output)),
                               match.hasMatch()),
                              output.constData(), 20'000);
    *url = QUrl(match.captured(1));
    QVERIFY2(!output.contains("no socket.io.js"), chat.readAllStandardError().constData());
}

// One chat user through the Qt client: what it received, in order.
struct ChatUser
{
    explicit ChatUser(const QUrl &url)
        : manager(url)
        , socket(manager.socket())
    {
        QObject::connect(socket, &SocketIO::ClientSocket::eventReceived, socket,
                         [this](const QString &event, const QVariantList &args) {
                             received.append({event, args.value(0).toMap()});
                         });
    }
    // The first `event` received whose `key` is `value`.
    QVariantMap find(const QString &event, const QString &key, const QString &value) const
    {
        for (const auto &[name, args] : received) {
            if (name == event && args.value(key).toString() == value)
                return args;
        }
        return {};
    }
    QVariantMap call(const QString &event, const QVariantList &args)
    {
        return callWithAck(socket, event, args);
    }

    SocketIO::Manager manager;
    SocketIO::ClientSocket *socket;
    QList<std::pair<QString, QVariantMap>> received;
};
