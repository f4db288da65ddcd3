#pragma once

#include "socketio_export.h"
#include <SocketIO/broadcastoperator.h>
#include <SocketIO/callbacks.h>
#include <SocketIO/emitter.h>

#include <QtCore/QDateTime>
#include <QtCore/QFuture>
#include <QtCore/QObject>
#include <QtCore/QVariantMap>
#include <QtNetwork/QHostAddress>

#include <memory>

Q_MOC_INCLUDE(<SocketIO/namespace.h>)

namespace SocketIO {

class EngineSocket;
class Namespace;
class Server;
class Socket;
class SocketPrivate;

// The handshake details of a socket (the reference's socket.handshake).
struct SOCKETIO_EXPORT Handshake
{
    QVariantMap headers; // lower-case names
    QString time;        // like JavaScript's `new Date() + ""`
    QString address;
    bool xdomain = false; // the request had an Origin header
    bool secure = false;  // over TLS
    qint64 issued = 0;    // ms since the epoch
    QString url;
    QVariantMap query;
    QVariantMap auth;

    QVariantMap toVariantMap() const;
};

// One client connected to one namespace (the server side of a Socket.IO socket). Owned by
// its Namespace; deleted (later) after disconnected().
class SOCKETIO_EXPORT Socket : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString id READ id CONSTANT)
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)
    Q_PROPERTY(bool recovered READ isRecovered CONSTANT)
    Q_PROPERTY(SocketIO::Namespace *nsp READ nsp CONSTANT)
    Q_PROPERTY(QString namespaceName READ namespaceName CONSTANT)
    Q_PROPERTY(QStringList rooms READ roomList NOTIFY roomsChanged)
    Q_PROPERTY(QString transportName READ transportName NOTIFY transportNameChanged)
    Q_PROPERTY(QString address READ address CONSTANT)
    Q_PROPERTY(QVariantMap data READ data WRITE setData NOTIFY dataChanged)
public:
    // Why a socket left its namespace; disconnecting() and disconnected() carry it beside the
    // reference's string.
    enum class DisconnectReason {
        Unknown,
        TransportClose,            // "transport close"
        TransportError,            // "transport error"
        PingTimeout,               // "ping timeout"
        ParseError,                // "parse error"
        ForcedClose,               // "forced close"
        ServerShuttingDown,        // "server shutting down"
        ForcedServerClose,         // "forced server close"
        ClientNamespaceDisconnect, // "client namespace disconnect"
        ServerNamespaceDisconnect, // "server namespace disconnect"
    };
    Q_ENUM(DisconnectReason)

    using EventHandler = std::function<void(const QVariantList &args, const SocketIO::Ack &ack)>;
    using AnyHandler = std::function<void(const QString &event, const QVariantList &args)>;
    using Middleware = std::function<void(const QString &event, const QVariantList &args,
                                          const SocketIO::Next &next)>;

    ~Socket() override;

    static QString reasonString(DisconnectReason reason);
    static DisconnectReason reasonFromString(QStringView reason);

    QString id() const;
    Namespace *nsp() const;
    QString namespaceName() const;
    Server *server() const;
    Handshake handshake() const;
    EngineSocket *conn() const;
    QString transportName() const;
    QString address() const;
    bool isConnected() const;
    bool isDisconnected() const { return !isConnected(); }
    bool isRecovered() const;

    QVariantMap data() const;
    void setData(const QVariantMap &data);

    QSet<QString> rooms() const;
    QStringList roomList() const;
    void join(const QString &room);
    void join(const QStringList &rooms);
    void leave(const QString &room);

    // Sending ("emit" is a Qt keyword: the verb here is emitEvent). Returns false for a
    // reserved event name.
    bool emitEvent(const QString &event, const QVariantList &args = {});
    // With an acknowledgement; `callback` is dropped if `context` dies first.
    bool emitEvent(const QString &event, const QVariantList &args, QObject *context,
                   AckCallback callback);
    QFuture<QVariantList> emitWithAck(const QString &event, const QVariantList &args = {});
    bool send(const QVariantList &args) { return emitEvent(QStringLiteral("message"), args); }
    Emitter timeout(int milliseconds);
    Emitter compress(bool compress);
    Emitter asVolatile();

    // Broadcasting from this socket reaches everyone selected except this socket.
    BroadcastOperator broadcast() const;
    BroadcastOperator to(const QString &room) const;
    BroadcastOperator to(const QStringList &rooms) const;
    BroadcastOperator in(const QString &room) const { return to(room); }
    BroadcastOperator except(const QString &room) const;
    BroadcastOperator local() const;

    // Receiving: eventReceived() fires for every event; these add per-event handlers.
    void on(const QString &event, QObject *context, EventHandler handler);
    void off(const QString &event);
    // Catch-all listeners; each returns an id for offAny(id). offAny() removes all.
    int onAny(QObject *context, AnyHandler handler);
    int prependAny(QObject *context, AnyHandler handler);
    void offAny(int id = -1);
    int onAnyOutgoing(QObject *context, AnyHandler handler);
    int prependAnyOutgoing(QObject *context, AnyHandler handler);
    void offAnyOutgoing(int id = -1);
    // Middleware for incoming events; a refusal emits errorOccurred() and drops the event.
    void use(QObject *context, Middleware middleware);

    // Leaves the namespace (DISCONNECT packet); with `close`, closes the whole connection
    // (the reference's socket.disconnect(close)). Not named disconnect(): that would hide
    // every QObject::disconnect() overload.
    void disconnectSocket(bool close = false);

Q_SIGNALS:
    void eventReceived(const QString &event, const QVariantList &args, const SocketIO::Ack &ack);
    void disconnecting(const QString &reason, const QString &description,
                       SocketIO::Socket::DisconnectReason code);
    void disconnected(const QString &reason, const QString &description,
                      SocketIO::Socket::DisconnectReason code);
    // A middleware refused an event, or the connection hit a parser error ("error" event).
    void errorOccurred(const QString &message, const QVariant &data);
    void dataChanged();
    void connectedChanged();
    void roomsChanged();
    void transportNameChanged();

protected:
    void connectNotify(const QMetaMethod &signal) override;

private:
    friend class SocketPrivate;
    friend class Namespace;
    friend class NamespacePrivate;
    friend class Adapter;
    explicit Socket(QObject *parent);
    Q_DECLARE_PRIVATE(Socket)
    Q_DISABLE_COPY_MOVE(Socket)
    std::unique_ptr<SocketPrivate> const d_ptr;
};

} // namespace SocketIO
