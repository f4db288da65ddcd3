#pragma once

#include "engineio/legacy09_p.h"
#include "parser.h"
#include "server.h"

#include <QtCore/QHash>
#include <QtCore/QPointer>

#include <memory>

namespace SocketIO {

class Client;
class ClusterBus;
struct ClusterMessage;
class WorkerPool;

class ServerPrivate
{
    Q_DECLARE_PUBLIC(Server)
public:
    explicit ServerPrivate(Server *q);
    ~ServerPrivate();

    static ServerPrivate *get(Server *server) { return server->d_func(); }
    bool prepare();
    Namespace *createNamespace(const QString &name, Namespace *parent);
    // Gives `nsp` the adapter the options ask for.
    void installAdapter(Namespace *nsp) const;
    // Joins the servers of `bus` (workers and their front); the namespaces get cluster
    // adapters.
    void joinCluster(std::shared_ptr<ClusterBus> bus);
    void leaveCluster();
    void onClusterMessage(const ClusterMessage &message);
    Namespace *createParent(Server::NamespaceMatcher matcher);
    // Finds or creates a dynamic namespace for `name`; `done` gets null when none matches.
    void checkNamespace(const QString &name, const QVariantMap &auth,
                        std::function<void(Namespace *)> done);
    void removeChild(Namespace *child);
    void onConnection(EngineSocket *conn);
    static EngineIO::Legacy09::Config legacy09Config(const ServerOptions &options);
    bool serveClient(const HttpRequest &request, HttpResponse &response);
    // The 0.9 origins and authorization, on every engine request.
    void checkLegacy09(const HttpRequest &request, EngineServer::Decision decide);
    // Takes `newOptions`' 0.9 settings (and applies their logging rules when they have some).
    void adoptLegacy09();
    // Sets the engine's gate when 0.9's origins or authorization ask for one.
    void installGate();
    // Applies one option through the OptionMapper; false (with error set) when refused.
    bool setOption(const QString &name, const QVariant &value);

    Server *const q_ptr;
    ServerOptions options;
    // The decoded packets of the last message read, empty and kept for its capacity: one list
    // for the server's clients (Client::onEngineMessage), not one per client.
    QList<Packet> spareDecoded;
    EngineServer *engine = nullptr;
    QHash<QString, Namespace *> nsps;
    QList<QPair<Server::NamespaceMatcher, Namespace *>> parentNamespaces;
    int parentCount = 0;
    QString clientVersion;
    // options.legacy09(), kept here because it is read on every request.
    Legacy09Options legacy09;
    // The client files read so far, with "browser client cache".
    QHash<QString, QByteArray> clientFiles;
    bool prepared = false;
    Server::Error error = Server::Error::NoError;
    QString errorString;
    std::shared_ptr<ClusterBus> bus;
    int node = -1;
    std::function<void(Server *)> workerSetup;
    std::unique_ptr<WorkerPool> workers;
};

} // namespace SocketIO
