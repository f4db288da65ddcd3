#pragma once

#include "adapter.h"
#include "core/ackregistry_p.h"
#include "core/guarded_p.h"
#include "core/listeners_p.h"
#include "engineio/packet_p.h"
#include "namespace.h"

#include <QtCore/QHash>
#include <QtCore/QPointer>

namespace SocketIO {

class Client;
class ServerPrivate;

// What an EncodedPacket holds: the engine packets every recipient gets, and what the
// onAnyOutgoing listeners see.
class EncodedPacketData
{
public:
    QList<EngineIO::Packet> packets;
    QVariantList data;                       // [event, args...]
    Packet::Type type = Packet::Type::Event; // for 0.9 clients, which get their own encoding
    BroadcastFlags flags;
    qint64 ackId = -1;
};

class NamespacePrivate : public SocketEmitter
{
    Q_DECLARE_PUBLIC(Namespace)
public:
    explicit NamespacePrivate(Namespace *q);
    static NamespacePrivate *get(Namespace *nsp) { return nsp->d_func(); }

    // The reference's Namespace._add: create the socket (recovering a session when asked),
    // run the middleware, then connect it or refuse it. The adapter may answer the restore
    // later (Redis): the CONNECT waits, and is dropped if the client went away meanwhile.
    void add(Client *client, const QVariantMap &auth);
    void addWithSession(Client *client, const QVariantMap &auth,
                        const std::optional<Session> &session);
    void runMiddlewares(Socket *socket, std::function<void(bool, QString, QVariant)> done);
    void doConnect(Socket *socket, Client *client);
    void remove(Socket *socket);
    void emitConnection(Socket *socket);

    // SocketEmitter: what the adapter asks.
    QString path() const override { return name; }
    QStringList socketIds() const override { return orderIds; }
    bool hasSocket(const QString &id) const override { return sockets.contains(id); }
    std::optional<SocketDetails> socketDetails(const QString &id) const override;
    qint64 nextAckId() override { return acks.nextId(); }
    EncodedPacket encode(const Packet &packet, const BroadcastFlags &flags) const override;
    int send(const EncodedPacket &packet, const QStringList &ids,
             const std::function<void(const QVariantList &)> &ack) override;
    void joinRooms(const QStringList &ids, const QStringList &rooms) override;
    void leaveRooms(const QStringList &ids, const QStringList &rooms) override;
    void disconnectSockets(const QStringList &ids, bool close) override;
    void receiveServerSideEmit(const QVariantList &args, const Ack &ack) override;
    int maxDisconnectionDuration() const override;

    Namespace *const q_ptr;
    QString name;
    ServerPrivate *server = nullptr;
    Adapter *adapter = nullptr;
    QHash<QString, Socket *> sockets;
    QList<Socket *> order; // connection order, for sockets()
    QStringList orderIds;  // the same, by id, for the adapter
    QHash<QString, Socket *> preConnectSockets;
    QList<Guarded<Namespace::Middleware>> middlewares;
    EventHandlers serverSideHandlers;
    Namespace *parent = nullptr;
    QList<Namespace *> children;
    bool isParent = false;
    // Ack ids of the namespace (its sockets' and its broadcasts'), and the broadcasts
    // waiting for their acknowledgements.
    AckRegistry acks;
};

} // namespace SocketIO
