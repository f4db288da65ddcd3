#pragma once

#include "socketio_export.h"
#include <SocketIO/broadcastoperator.h>
#include <SocketIO/engineserver.h>
#include <SocketIO/namespace.h>
#include <SocketIO/serveroptions.h>
#include <SocketIO/socket.h>

#include <QtCore/QObject>
#include <QtCore/QRegularExpression>

#include <memory>

namespace SocketIO {

class ServerPrivate;

// The Socket.IO v4 server (protocol v5 over Engine.IO v4, v3 clients with allowEIO3).
class SOCKETIO_EXPORT Server : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool listening READ isListening NOTIFY listeningChanged)
    Q_PROPERTY(quint16 serverPort READ serverPort NOTIFY listeningChanged)
    Q_PROPERTY(int clientsCount READ clientsCount NOTIFY clientsCountChanged)
    Q_PROPERTY(QStringList namespaceNames READ namespaceNames NOTIFY namespacesChanged)
public:
    // Decides whether a dynamic namespace may be created for `name`; call decide(true) to
    // accept (possibly later).
    using NamespaceMatcher = std::function<void(const QString &name, const QVariantMap &auth,
                                                std::function<void(bool allow)> decide)>;
    enum class Error { NoError, InvalidOptions, ListenFailed, AlreadyListening };
    Q_ENUM(Error)

    explicit Server(QObject *parent = nullptr);
    explicit Server(const ServerOptions &options, QObject *parent = nullptr);
    ~Server() override;

    ServerOptions options() const;
    bool setOptions(const ServerOptions &options);

    // Socket.IO 0.9's configuration (io.set(), io.enable(), io.configure()), with the names
    // of ServerOptions::fromVariantMap(), modern and 0.9's. Until listening; after, only
    // names read per request (the browser client ones, authorization, the log ones).
    bool set(const QString &name, const QVariant &value);
    QVariant get(const QString &name) const;
    bool enable(const QString &name);
    bool disable(const QString &name);
    bool enabled(const QString &name) const;
    bool disabled(const QString &name) const;
    // Runs `configure` now; with an environment, only when NODE_ENV (default "development")
    // is that environment. Returns whether it ran.
    bool configure(const std::function<void()> &configure);
    bool configure(const QString &environment, const std::function<void()> &configure);

    bool listen(const QHostAddress &address = QHostAddress::Any, quint16 port = 0);
    bool attach(QTcpServer *server);
    void setSslConfiguration(const QSslConfiguration &configuration);
    // Disconnects every socket ("server shutting down") and stops listening. listen() may be
    // called again: with connection state recovery, the sessions saved here are recovered.
    void close();
    // With ServerOptions::workers: runs on each worker's thread before it serves.
    void setWorkerSetup(std::function<void(Server *worker)> setup);
    bool isListening() const;
    quint16 serverPort() const;
    int clientsCount() const;
    EngineServer *engine() const;
    // io.httpServer: the server socket this server accepts connections from.
    QTcpServer *httpServer() const;

    // The namespace of that name, created when missing.
    Namespace *of(const QString &name);
    // A parent namespace creating children for names that match.
    Namespace *of(const QRegularExpression &pattern);
    Namespace *of(NamespaceMatcher matcher);
    // The main namespace "/".
    Namespace *sockets() const;
    QList<Namespace *> namespaces() const;
    QStringList namespaceNames() const;

    // Shortcuts for the main namespace.
    void use(QObject *context, Namespace::Middleware middleware);
    BroadcastOperator to(const QString &room) const;
    BroadcastOperator to(const QStringList &rooms) const;
    BroadcastOperator in(const QString &room) const { return to(room); }
    BroadcastOperator except(const QString &room) const;
    BroadcastOperator compress(bool compress) const;
    BroadcastOperator asVolatile() const;
    BroadcastOperator local() const;
    BroadcastOperator timeout(int milliseconds) const;
    bool emitEvent(const QString &event, const QVariantList &args = {});
    bool send(const QVariantList &args);
    QFuture<QList<RemoteSocket>> fetchSockets() const;
    void socketsJoin(const QStringList &rooms) const;
    void socketsLeave(const QStringList &rooms) const;
    void disconnectSockets(bool close = false) const;
    bool serverSideEmit(const QString &event, const QVariantList &args = {});

    Error error() const;
    QString errorString() const;

Q_SIGNALS:
    // A socket connected to the main namespace.
    void connection(SocketIO::Socket *socket);
    // A dynamic namespace was created (the reference's "new_namespace").
    void newNamespace(SocketIO::Namespace *nsp);
    void listeningChanged();
    void clientsCountChanged();
    void namespacesChanged();

private:
    friend class ServerPrivate;
    friend class NamespacePrivate;
    friend class Client;
    Q_DECLARE_PRIVATE(Server)
    Q_DISABLE_COPY_MOVE(Server)
    std::unique_ptr<ServerPrivate> const d_ptr;
};

} // namespace SocketIO
