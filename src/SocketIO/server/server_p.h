#pragma once

#include "server.h"

#include <QtCore/QHash>
#include <QtCore/QPointer>

namespace SocketIO {

class Client;

class ServerPrivate
{
    Q_DECLARE_PUBLIC(Server)
public:
    explicit ServerPrivate(Server *q);

    static ServerPrivate *get(Server *server) { return server->d_func(); }
    bool prepare();
    Namespace *createNamespace(const QString &name, Namespace *parent);
    // Gives `nsp` the adapter the options ask for.
    void installAdapter(Namespace *nsp) const;
    Namespace *createParent(Server::NamespaceMatcher matcher);
    // Finds or creates a dynamic namespace for `name`; `done` gets null when none matches.
    void checkNamespace(const QString &name, const QVariantMap &auth,
                        std::function<void(Namespace *)> done);
    void removeChild(Namespace *child);
    void onConnection(EngineSocket *conn);
    bool serveClient(const HttpRequest &request, HttpResponse &response);

    Server *const q_ptr;
    ServerOptions options;
    EngineServer *engine = nullptr;
    QHash<QString, Namespace *> nsps;
    QList<QPair<Server::NamespaceMatcher, Namespace *>> parentNamespaces;
    int parentCount = 0;
    QString clientVersion;
    bool prepared = false;
    Server::Error error = Server::Error::NoError;
    QString errorString;
};

} // namespace SocketIO
