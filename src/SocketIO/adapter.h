#pragma once

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

namespace EngineIO {
struct Packet;
}
class AdapterPrivate;
class Namespace;
class Socket;

struct SOCKETIO_EXPORT BroadcastFlags
{
    bool isVolatile = false;
    bool compress = true;
    //! Only this server's sockets, when an adapter joins several servers (default false).
    bool local = false;
    int timeout = -1; // ms; -1 for none
    bool expectSingleResponse = false;
};

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
    // Runs `callback` for every local socket the options select.
    void apply(const BroadcastOptions &options,
               const std::function<void(Socket *)> &callback) const;
    QSet<QString> computeExceptSids(const QSet<QString> &exceptRooms) const;
    static SocketDetails detailsOf(const Socket *socket);
    // The engine packets of `packet`, encoded once for every recipient.
    QList<EngineIO::Packet> encodeForBroadcast(const Packet &packet,
                                               const BroadcastFlags &flags) const;

private:
    void removeFromRoom(const QString &room, const QString &id);

    Namespace *const m_nsp;
    std::unique_ptr<AdapterPrivate> const d;
};

} // namespace SocketIO
