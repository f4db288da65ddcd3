// For the tests of the examples: what a user's client does with a running example, an HTTP GET
// of its page and an acknowledged emit, each waited for with a deadline.
#pragma once

#include <SocketIO/ClientSocket>

#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtTest/QTest>

#include <memory>

// The body, and the status in `status`; empty after 10 s without an answer.
inline QByteArray httpGet(const QUrl &url, int *status)
{
    QNetworkAccessManager network;
    std::unique_ptr<QNetworkReply> reply(network.get(QNetworkRequest(url)));
    if (!QTest::qWaitFor([&] { return reply->isFinished(); }, 10'000))
        return {};
    *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    return reply->readAll();
}

// Emits with an acknowledgement and returns the reply's first argument as a map; empty (with a
// warning) after 10 s without one.
inline QVariantMap callWithAck(SocketIO::ClientSocket *socket, const QString &event,
                               const QVariantList &args = {})
{
    QVariantMap reply;
    bool done = false;
    socket->emitEvent(event, args, socket, [&](const QString &, const QVariantList &answer) {
        reply = answer.value(0).toMap();
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 10'000))
        qWarning("no ack for %s", qPrintable(event));
    return reply;
}
