#pragma once

#include "socketio_export.h"
#include <SocketIO/callbacks.h>
#include <SocketIO/clientoptions.h>
#include <SocketIO/emitter.h>
#include <SocketIO/manager.h>

#include <QtCore/QFuture>
#include <QtCore/QObject>

#include <memory>

namespace SocketIO {

class ClientSocketPrivate;
class Manager;

// A client's socket on one namespace (socket.io-client's Socket). Owned by its Manager.
class SOCKETIO_EXPORT ClientSocket : public QObject
{
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(SocketIO::Manager *manager READ manager CONSTANT)
    Q_PROPERTY(QString nsp READ nsp CONSTANT)
    Q_PROPERTY(QString id READ id NOTIFY stateChanged)
    Q_PROPERTY(bool active READ isActive NOTIFY stateChanged)
    Q_PROPERTY(bool recovered READ isRecovered NOTIFY stateChanged)
public:
    // Connecting: active (connectToServer() called, the reference's socket.active), waiting
    // for the Manager to open or reopen the connection and for the server's CONNECT.
    enum class State { Disconnected, Connecting, Connected };
    Q_ENUM(State)
    // Why the socket disconnected (socket.io-client's DisconnectReason); disconnected()
    // carries it beside the reference's string.
    enum class DisconnectReason {
        Unknown,
        IoServerDisconnect, // "io server disconnect": the server disconnected the socket
        IoClientDisconnect, // "io client disconnect": disconnectFromServer()
        TransportClose,     // "transport close"
        TransportError,     // "transport error"
        PingTimeout,        // "ping timeout"
        ParseError,         // "parse error"
        ForcedClose,        // "forced close": Manager::close()
    };
    Q_ENUM(DisconnectReason)

    static QString reasonString(DisconnectReason reason);
    static DisconnectReason reasonFromString(QStringView reason);

    using EventHandler = std::function<void(const QVariantList &args, const SocketIO::Ack &ack)>;
    using AnyHandler = std::function<void(const QString &event, const QVariantList &args)>;

    ~ClientSocket() override;

    Manager *manager() const;
    QString nsp() const;
    QString id() const;
    State state() const;
    bool isConnected() const;
    bool isDisconnected() const { return !isConnected(); }
    // Connected, or trying to (it will reconnect).
    bool isActive() const;
    bool isRecovered() const;
    SocketOptions options() const;
    void setAuth(const QVariantMap &auth);

    void connectToServer();
    void disconnectFromServer();

    // Sending; while disconnected, events wait in the send buffer. Returns false for a
    // reserved event name.
    bool emitEvent(const QString &event, const QVariantList &args = {});
    bool emitEvent(const QString &event, const QVariantList &args, QObject *context,
                   AckCallback callback);
    QFuture<QVariantList> emitWithAck(const QString &event, const QVariantList &args = {});
    bool send(const QVariantList &args) { return emitEvent(QStringLiteral("message"), args); }

    // One emit with flags: socket->timeout(5000).emitEvent(...).
    using Flags = Emitter;
    Flags timeout(int milliseconds);
    Flags compress(bool compress);
    Flags asVolatile();

    void on(const QString &event, QObject *context, EventHandler handler);
    void off(const QString &event);
    int onAny(QObject *context, AnyHandler handler);
    int prependAny(QObject *context, AnyHandler handler);
    void offAny(int id = -1);
    int onAnyOutgoing(QObject *context, AnyHandler handler);
    int prependAnyOutgoing(QObject *context, AnyHandler handler);
    void offAnyOutgoing(int id = -1);

    // Events waiting for a connection (sendBuffer) and received before it (receiveBuffer).
    int sendBufferSize() const;

Q_SIGNALS:
    // The reference's "connect" event; state() is Connected.
    void connected();
    void connectError(const QString &message, const QVariant &data, SocketIO::Manager::Error error);
    void disconnected(const QString &reason, const QString &description,
                      SocketIO::ClientSocket::DisconnectReason code);
    void eventReceived(const QString &event, const QVariantList &args, const SocketIO::Ack &ack);
    void stateChanged(SocketIO::ClientSocket::State state);

private:
    friend class Manager;
    friend class ManagerPrivate;
    friend class ClientSocketPrivate;
    explicit ClientSocket(QObject *parent);
    Q_DECLARE_PRIVATE(ClientSocket)
    Q_DISABLE_COPY_MOVE(ClientSocket)
    std::unique_ptr<ClientSocketPrivate> const d_ptr;
};

} // namespace SocketIO
