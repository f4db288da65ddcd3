#pragma once

#include "guarded_p.h"
#include "listeners_p.h"
#include "namespace.h"

#include <QtCore/QHash>
#include <QtCore/QPointer>

namespace SocketIO {

class Client;
class ServerPrivate;

class NamespacePrivate
{
    Q_DECLARE_PUBLIC(Namespace)
public:
    explicit NamespacePrivate(Namespace *q);
    static NamespacePrivate *get(Namespace *nsp) { return nsp->d_func(); }

    // The reference's Namespace._add: create the socket (recovering a session when asked),
    // run the middleware, then connect it or refuse it.
    void add(Client *client, const QVariantMap &auth);
    void runMiddlewares(Socket *socket, std::function<void(bool, QString, QVariant)> done);
    void doConnect(Socket *socket, Client *client);
    void remove(Socket *socket);
    void emitConnection(Socket *socket);
    void onServerSideEmit(const QVariantList &args, const Ack &ack);

    Namespace *const q_ptr;
    QString name;
    ServerPrivate *server = nullptr;
    Adapter *adapter = nullptr;
    QHash<QString, Socket *> sockets;
    QList<Socket *> order; // connection order, for sockets()
    QHash<QString, Socket *> preConnectSockets;
    QList<Guarded<Namespace::Middleware>> middlewares;
    EventHandlers serverSideHandlers;
    Namespace *parent = nullptr;
    QList<Namespace *> children;
    bool isParent = false;
    qint64 ackIds = 0;
};

} // namespace SocketIO
