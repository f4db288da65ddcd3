#pragma once

#include "core/ackregistry_p.h"
#include "core/guarded_p.h"
#include "core/listeners_p.h"
#include "httprequest.h"
#include "socket.h"

#include <QtCore/QHash>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

namespace SocketIO {

class Client;

class SocketPrivate
{
    Q_DECLARE_PUBLIC(Socket)
public:
    explicit SocketPrivate(Socket *q);
    static SocketPrivate *get(Socket *socket) { return socket->d_func(); }
    static Socket *create(Namespace *nsp, Client *client, const QVariantMap &auth,
                          const Session *previous);

    // Sends one packet on this socket's namespace.
    void packet(Packet packet, const BroadcastFlags &flags = {});
    bool emitWithFlags(const QString &event, const QVariantList &args, const BroadcastFlags &flags,
                       QObject *context, AckCallback callback);
    void onConnect();
    // Both consume `packet`: the event's arguments are taken over, not copied.
    void onPacket(Packet &packet);
    void onEvent(Packet &packet);
    void onAck(const Packet &packet);
    void dispatch(const QString &event, const QVariantList &args, const Ack &ack);
    void deliverEvent(const QString &event, const QVariantList &args, const Ack &ack);
    void onClose(const QString &reason, const QString &description = {});
    void onError(const QString &message);
    void cleanup();
    void sendConnectError(const QString &message, const QVariant &data);
    void notifyOutgoing(const QString &event, const QVariantList &args);

    Socket *const q_ptr;
    Namespace *nsp = nullptr;
    Client *client = nullptr;
    QString id;
    QString pid;
    HttpRequest request; // shared with the engine session
    QVariantMap auth;
    qint64 issued = 0;
    QVariantMap data;
    bool connected = false;
    bool recovered = false;
    bool transportWatched = false; // transportNameChanged() follows the engine's upgrades
    bool cleanedUp = false;
    AckRegistry acks; // ids come from the namespace's registry
    EventHandlers handlers;
    ListenerList<Socket::AnyHandler> anyListeners;
    ListenerList<Socket::AnyHandler> anyOutgoingListeners;
    QList<Guarded<Socket::Middleware>> middlewares;
};

} // namespace SocketIO
