#pragma once

#include "jssocket.h"

#include <SocketIO/socket.h>

#include <QtCore/QPointer>

Q_MOC_INCLUDE("broadcast.h")
Q_MOC_INCLUDE("emitter.h")

namespace SocketIO {

class QmlBroadcast;
class QmlEmitter;
class QmlServer;

// ServerSocket: one client connected to a namespace of a SocketIOServer, as QML sees it
// (SocketIOServer.onConnection, SocketModel's `socket` role). Owned by the server object;
// deleted after disconnected().
//     onConnection: socket => {
//         socket.join("lobby")
//         socket.on("move", (x, y, ack) => { socket.to("lobby").emit("moved", x, y); ack(true) })
//     }
class QmlServerSocket : public SocketIO::QmlSocketBase
{
    Q_OBJECT
    QML_NAMED_ELEMENT(ServerSocket)
    QML_UNCREATABLE("ServerSocket comes from SocketIOServer's connection signal")
    Q_PROPERTY(QString id READ id CONSTANT)
    Q_PROPERTY(QString namespace READ nsp CONSTANT)
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)
    Q_PROPERTY(bool recovered READ isRecovered CONSTANT)
    Q_PROPERTY(QStringList rooms READ rooms NOTIFY roomsChanged)
    Q_PROPERTY(QString transport READ transport NOTIFY transportChanged)
    Q_PROPERTY(QString address READ address CONSTANT)
    Q_PROPERTY(QVariantMap handshake READ handshake CONSTANT)
    Q_PROPERTY(QVariantMap auth READ auth CONSTANT)
    Q_PROPERTY(QVariantMap data READ data WRITE setData NOTIFY dataChanged)
    Q_PROPERTY(SocketIO::QmlBroadcast *broadcast READ broadcast CONSTANT)
public:
    QmlServerSocket(SocketIO::Socket *socket, QmlServer *server);
    ~QmlServerSocket() override;

    QString id() const;
    QString nsp() const;
    bool isConnected() const;
    bool isRecovered() const;
    QStringList rooms() const;
    QString transport() const;
    QString address() const;
    QVariantMap handshake() const;
    QVariantMap auth() const;
    QVariantMap data() const;
    void setData(const QVariantMap &data);
    // Every other socket of the namespace.
    SocketIO::QmlBroadcast *broadcast() const;

    // A room name or an array of them.
    Q_INVOKABLE void join(const QJSValue &rooms);
    Q_INVOKABLE void leave(const QString &room);
    // The sockets in these rooms, except this one.
    Q_INVOKABLE SocketIO::QmlBroadcast *to(const QJSValue &rooms) const;
    Q_INVOKABLE SocketIO::QmlBroadcast *in(const QJSValue &rooms) const;
    Q_INVOKABLE SocketIO::QmlBroadcast *except(const QJSValue &rooms) const;
    Q_INVOKABLE SocketIO::QmlEmitter *timeout(int milliseconds) const;
    // Leaves the namespace; with `close`, closes the whole connection.
    Q_INVOKABLE void disconnect(bool close = false);

    SocketIO::Socket *socket() const;

Q_SIGNALS:
    void connectedChanged();
    void roomsChanged();
    void transportChanged();
    void dataChanged();
    void disconnected(const QString &reason, const QString &description);

protected:
    AckStyle ackStyle() const override;
    bool send(const QString &event, const QVariantList &args, QObject *context,
              SocketIO::AckCallback callback) override;

private:
    QPointer<SocketIO::Socket> m_socket;
    QString m_id;
    QString m_nsp;
    mutable QmlBroadcast *m_broadcast = nullptr;
};

} // namespace SocketIO
