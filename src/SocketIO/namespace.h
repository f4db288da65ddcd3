#pragma once

#include "socketio_export.h"
#include <SocketIO/broadcastoperator.h>
#include <SocketIO/callbacks.h>

#include <QtCore/QObject>

#include <memory>

namespace SocketIO {

class NamespacePrivate;
class Server;
class SocketEmitter;
class Socket;

// A namespace ("/", "/chat", ...): its sockets, middleware, rooms (through its Adapter) and
// broadcasts. Owned by the Server. A namespace created by of(QRegularExpression) or
// of(matcher) is a parent: the namespaces it creates on demand are its children, run its
// middleware, and are announced through its connection() signal too.
class SOCKETIO_EXPORT Namespace : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString name READ name CONSTANT)
    Q_PROPERTY(int socketsCount READ socketsCount NOTIFY socketsCountChanged)
    Q_PROPERTY(QStringList rooms READ roomList NOTIFY roomsChanged)
public:
    using Middleware = std::function<void(SocketIO::Socket *socket, const SocketIO::Next &next)>;
    using ServerSideHandler =
        std::function<void(const QVariantList &args, const SocketIO::Ack &ack)>;

    ~Namespace() override;

    QString name() const;
    Server *server() const;
    Adapter *adapter() const;
    bool isParent() const;
    Namespace *parentNamespace() const;
    // The namespaces this parent created (not QObject::children(), which it keeps).
    QList<Namespace *> childNamespaces() const;

    QList<Socket *> sockets() const;
    Socket *socket(const QString &id) const;
    int socketsCount() const;
    QStringList roomList() const;

    // Connection middleware: runs for each socket before connection(); next(message, data)
    // refuses it with a CONNECT_ERROR carrying {message, data}.
    void use(QObject *context, Middleware middleware);

    BroadcastOperator to(const QString &room) const;
    BroadcastOperator to(const QStringList &rooms) const;
    BroadcastOperator in(const QString &room) const { return to(room); }
    BroadcastOperator except(const QString &room) const;
    BroadcastOperator except(const QStringList &rooms) const;
    BroadcastOperator compress(bool compress) const;
    BroadcastOperator asVolatile() const;
    BroadcastOperator local() const;
    BroadcastOperator timeout(int milliseconds) const;
    BroadcastOperator broadcastOperator() const;

    bool emitEvent(const QString &event, const QVariantList &args = {});
    bool send(const QVariantList &args) { return emitEvent(QStringLiteral("message"), args); }
    QFuture<QVariantList> emitWithAck(const QString &event, const QVariantList &args = {});
    QSet<QString> allSockets() const;
    QFuture<QList<RemoteSocket>> fetchSockets() const;
    void socketsJoin(const QStringList &rooms) const;
    void socketsLeave(const QStringList &rooms) const;
    void disconnectSockets(bool close = false) const;

    // Events between servers of a cluster (through the adapter). With one server, the
    // callback form gets no responses.
    bool serverSideEmit(const QString &event, const QVariantList &args = {});
    bool serverSideEmit(
        const QString &event, const QVariantList &args, QObject *context,
        std::function<void(const QString &error, const QVariantList &responses)> callback);
    void onServerSideEvent(const QString &event, QObject *context, ServerSideHandler handler);

    // Replaces the adapter (the server's `adapter` option does it for every namespace).
    void setAdapter(Adapter *adapter);

Q_SIGNALS:
    // A socket connected (the reference's "connect"/"connection").
    void connection(SocketIO::Socket *socket);
    void socketsCountChanged();
    void roomsChanged();
    void serverSideEventReceived(const QString &event, const QVariantList &args);

private:
    friend class NamespacePrivate;
    friend class Server;
    friend class ServerPrivate;
    explicit Namespace(QObject *parent);
    Q_DECLARE_PRIVATE(Namespace)
    Q_DISABLE_COPY_MOVE(Namespace)
    std::unique_ptr<NamespacePrivate> const d_ptr;
};

} // namespace SocketIO
