#pragma once

#include "callbacks.h"
#include "parser.h"
#include "socketio_export.h"

#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QSet>
#include <QtCore/QVariantMap>

#include <functional>
#include <memory>
#include <optional>

namespace SocketIO {

class AdapterPrivate;
class EncodedPacketData;
class Namespace;

// Who a broadcast reaches: sockets in any of `rooms` (everyone when empty), less those in
// any of `except`.
struct SOCKETIO_EXPORT BroadcastOptions
{
    QSet<QString> rooms;
    QSet<QString> except;
    BroadcastFlags flags;
};

// What an adapter knows of a socket, possibly on another server (fetchSockets()).
struct SOCKETIO_EXPORT SocketDetails
{
    QString id;
    QVariantMap handshake;
    QSet<QString> rooms;
    QVariantMap data;
};

// A disconnected session kept for connection state recovery.
struct SOCKETIO_EXPORT Session
{
    QString sid;
    QString pid;
    QSet<QString> rooms;
    QVariantMap data;
    qint64 disconnectedAt = 0;         // ms since the epoch
    QList<QVariantList> missedPackets; // filled by restoreSession()
};

// A packet encoded once for every recipient of a broadcast, down to its WebSocket frames.
// Opaque to an adapter: it gets one from SocketEmitter::encode() and hands it to
// SocketEmitter::send(). Implicitly shared.
class SOCKETIO_EXPORT EncodedPacket
{
public:
    EncodedPacket() = default;
    bool isNull() const { return !d; }

private:
    friend class NamespacePrivate;
    explicit EncodedPacket(std::shared_ptr<const EncodedPacketData> data)
        : d(std::move(data))
    {}
    std::shared_ptr<const EncodedPacketData> d;
};

// What an adapter may ask of its namespace and the namespace's sockets on this server: the
// adapter decides who, the namespace delivers. Sockets are named by id; ids of sockets that
// are not (or no longer) connected here are skipped. Implemented by the Namespace.
class SOCKETIO_EXPORT SocketEmitter
{
public:
    virtual ~SocketEmitter();

    virtual QString path() const = 0;
    virtual QStringList socketIds() const = 0;
    virtual bool hasSocket(const QString &id) const = 0;
    virtual std::optional<SocketDetails> socketDetails(const QString &id) const = 0;
    virtual qint64 nextAckId() = 0;
    virtual EncodedPacket encode(const Packet &packet, const BroadcastFlags &flags) const = 0;
    virtual int send(const EncodedPacket &packet, const QStringList &ids,
                     const std::function<void(const QVariantList &response)> &ack) = 0;
    virtual void joinRooms(const QStringList &ids, const QStringList &rooms) = 0;
    virtual void leaveRooms(const QStringList &ids, const QStringList &rooms) = 0;
    virtual void disconnectSockets(const QStringList &ids, bool close) = 0;
    virtual void receiveServerSideEmit(const QVariantList &args, const Ack &ack) = 0;
};

// Keeps the rooms of one namespace and delivers broadcasts. This class is the in-memory
// adapter of the reference (socket.io-adapter); a multi-server adapter (Redis) derives from
// it and overrides what crosses servers. Owned by its Namespace.
class SOCKETIO_EXPORT Adapter : public QObject
{
    Q_OBJECT
public:
    explicit Adapter(Namespace *nsp);
    ~Adapter() override;

    Namespace *nsp() const { return m_nsp; }

    virtual void addAll(const QString &id, const QSet<QString> &rooms);
    virtual void del(const QString &id, const QString &room);
    virtual void delAll(const QString &id);

    // Encodes `packet` once and writes the same messages to every recipient.
    virtual void broadcast(const Packet &packet, const BroadcastOptions &options);
    virtual void broadcastWithAck(const Packet &packet, const BroadcastOptions &options,
                                  const std::function<void(int clientCount)> &clientCountCallback,
                                  const std::function<void(const QVariantList &response)> &ack);
    virtual int serverCount() const { return 1; }

    virtual QSet<QString> sockets(const QSet<QString> &rooms) const;
    virtual QSet<QString> socketRooms(const QString &id) const;
    virtual void fetchSockets(const BroadcastOptions &options,
                              const std::function<void(const QList<SocketDetails> &)> &done);
    virtual void addSockets(const BroadcastOptions &options, const QStringList &rooms);
    virtual void delSockets(const BroadcastOptions &options, const QStringList &rooms);
    virtual void disconnectSockets(const BroadcastOptions &options, bool close);
    // `args` is [event, arguments...]. With `ack`, it gets the other servers' responses; a
    // single server has none.
    virtual void serverSideEmit(
        const QVariantList &args,
        const std::function<void(const QString &error, const QVariantList &responses)> &ack = {});

    // Connection state recovery; the in-memory adapter keeps nothing unless the server enables
    // recovery.
    virtual void persistSession(const Session &session);
    virtual std::optional<Session> restoreSession(const QString &pid, const QString &offset);

    // Snapshots: room -> socket ids, and socket id -> rooms.
    QHash<QString, QSet<QString>> rooms() const;
    QHash<QString, QSet<QString>> sids() const;

Q_SIGNALS:
    void roomCreated(const QString &room);
    void roomDeleted(const QString &room);
    void roomJoined(const QString &room, const QString &id);
    void roomLeft(const QString &room, const QString &id);

protected:
    SocketEmitter *emitter() const;
    // The ids of the sockets `options` select, on this server.
    QStringList localSocketIds(const BroadcastOptions &options) const;
    QSet<QString> computeExceptSids(const QSet<QString> &exceptRooms) const;

private:
    friend class Namespace;
    // The namespace hands over its side of the seam when it installs the adapter.
    void setEmitter(SocketEmitter *emitter);
    void removeFromRoom(const QString &room, const QString &id);

    Namespace *const m_nsp;
    std::unique_ptr<AdapterPrivate> const d;
};

} // namespace SocketIO
