#pragma once

#include "jssender.h"

#include <SocketIO/broadcastoperator.h>

namespace SocketIO {

// Broadcast: a selection of a server's sockets, from SocketIOServer.to(), in(), except(),
// of(), timeout() and ServerSocket.to() / broadcast; each modifier returns a new Broadcast.
//     server.to("game").except("spectators").emit("score", 3)
//     server.timeout(2000).emit("vote", (err, responses) => ...)
// Owned by JavaScript: use it in the same expression.
class QmlBroadcast : public SocketIO::QmlSender
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Broadcast)
    QML_UNCREATABLE("Broadcast comes from to(), in(), except(), of() or timeout() of a server")
public:
    QmlBroadcast(const SocketIO::BroadcastOperator &selection, QObject *owner);
    ~QmlBroadcast() override;

    // A room name or an array of them.
    Q_INVOKABLE SocketIO::QmlBroadcast *to(const QJSValue &rooms) const;
    Q_INVOKABLE SocketIO::QmlBroadcast *in(const QJSValue &rooms) const;
    Q_INVOKABLE SocketIO::QmlBroadcast *except(const QJSValue &rooms) const;
    Q_INVOKABLE SocketIO::QmlBroadcast *timeout(int milliseconds) const;
    Q_INVOKABLE SocketIO::QmlBroadcast *compress(bool compress) const;
    Q_INVOKABLE SocketIO::QmlBroadcast *asVolatile() const;
    Q_INVOKABLE SocketIO::QmlBroadcast *local() const;

    // The ids of the selected sockets.
    Q_INVOKABLE QStringList allSockets() const;
    Q_INVOKABLE void socketsJoin(const QJSValue &rooms) const;
    Q_INVOKABLE void socketsLeave(const QJSValue &rooms) const;
    Q_INVOKABLE void disconnectSockets(bool close = false) const;

    static QStringList roomList(const QJSValue &rooms);

protected:
    AckStyle ackStyle() const override;
    QString refusal(const QString &event) const override;
    bool send(const QString &event, const QVariantList &args, QObject *context,
              SocketIO::AckCallback callback) override;

private:
    SocketIO::BroadcastOperator m_selection;
};

} // namespace SocketIO
