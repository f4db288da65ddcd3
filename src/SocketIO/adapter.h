#pragma once

#include "callbacks.h"
#include "parser.h"
#include "socketio_export.h"

#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QSet>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QVariantMap>

#include <functional>
#include <memory>
#include <optional>

namespace SocketIO {

class AdapterPrivate;
class EncodedPacketData;
class Namespace;

class BroadcastOptionsData;

// Who a broadcast reaches: sockets in any of `rooms` (everyone when empty), less those in
// any of `except`. Implicitly shared; the defaults allocate nothing.
class SOCKETIO_EXPORT BroadcastOptions
{
    Q_GADGET
    Q_PROPERTY(QSet<QString> rooms READ rooms WRITE setRooms)
    Q_PROPERTY(QSet<QString> except READ except WRITE setExcept)
    Q_PROPERTY(SocketIO::BroadcastFlags flags READ flags WRITE setFlags)
public:
    BroadcastOptions() noexcept;
    BroadcastOptions(const BroadcastOptions &other) noexcept;
    BroadcastOptions(BroadcastOptions &&other) noexcept;
    BroadcastOptions &operator=(const BroadcastOptions &other) noexcept;
    BroadcastOptions &operator=(BroadcastOptions &&other) noexcept;
    ~BroadcastOptions();
    void swap(BroadcastOptions &other) noexcept { d.swap(other.d); }

    QSet<QString> rooms() const;
    void setRooms(const QSet<QString> &rooms);
    QSet<QString> except() const;
    void setExcept(const QSet<QString> &rooms);
    SocketIO::BroadcastFlags flags() const;
    void setFlags(const SocketIO::BroadcastFlags &flags);

    bool operator==(const BroadcastOptions &other) const;
    bool operator!=(const BroadcastOptions &other) const { return !(*this == other); }

private:
    QSharedDataPointer<BroadcastOptionsData> d; // null: all defaults
};

class SocketDetailsData;

// What an adapter knows of a socket, possibly on another server (fetchSockets()).
// Implicitly shared.
class SOCKETIO_EXPORT SocketDetails
{
    Q_GADGET
    Q_PROPERTY(QString id READ id WRITE setId)
    Q_PROPERTY(QVariantMap handshake READ handshake WRITE setHandshake)
    Q_PROPERTY(QSet<QString> rooms READ rooms WRITE setRooms)
    Q_PROPERTY(QVariantMap data READ data WRITE setData)
public:
    SocketDetails() noexcept;
    SocketDetails(const SocketDetails &other) noexcept;
    SocketDetails(SocketDetails &&other) noexcept;
    SocketDetails &operator=(const SocketDetails &other) noexcept;
    SocketDetails &operator=(SocketDetails &&other) noexcept;
    ~SocketDetails();
    void swap(SocketDetails &other) noexcept { d.swap(other.d); }

    QString id() const;
    void setId(const QString &id);
    QVariantMap handshake() const;
    void setHandshake(const QVariantMap &handshake);
    QSet<QString> rooms() const;
    void setRooms(const QSet<QString> &rooms);
    QVariantMap data() const;
    void setData(const QVariantMap &data);

    bool operator==(const SocketDetails &other) const;
    bool operator!=(const SocketDetails &other) const { return !(*this == other); }

private:
    QSharedDataPointer<SocketDetailsData> d; // null: all defaults
};

class SessionData;

// A disconnected session kept for connection state recovery. Implicitly shared.
class SOCKETIO_EXPORT Session
{
    Q_GADGET
    Q_PROPERTY(QString sid READ sid WRITE setSid)
    Q_PROPERTY(QString pid READ pid WRITE setPid)
    Q_PROPERTY(QSet<QString> rooms READ rooms WRITE setRooms)
    Q_PROPERTY(QVariantMap data READ data WRITE setData)
    Q_PROPERTY(qint64 disconnectedAt READ disconnectedAt WRITE setDisconnectedAt)
    Q_PROPERTY(QList<QVariantList> missedPackets READ missedPackets WRITE setMissedPackets)
public:
    Session() noexcept;
    Session(const Session &other) noexcept;
    Session(Session &&other) noexcept;
    Session &operator=(const Session &other) noexcept;
    Session &operator=(Session &&other) noexcept;
    ~Session();
    void swap(Session &other) noexcept { d.swap(other.d); }

    QString sid() const;
    void setSid(const QString &sid);
    QString pid() const;
    void setPid(const QString &pid);
    QSet<QString> rooms() const;
    void setRooms(const QSet<QString> &rooms);
    QVariantMap data() const;
    void setData(const QVariantMap &data);
    qint64 disconnectedAt() const;
    void setDisconnectedAt(qint64 time);
    QList<QVariantList> missedPackets() const;
    void setMissedPackets(const QList<QVariantList> &packets);

    bool operator==(const Session &other) const;
    bool operator!=(const Session &other) const { return !(*this == other); }

private:
    QSharedDataPointer<SessionData> d; // null: all defaults
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
    // How long a disconnected session may be recovered, in ms; 0 without connection state
    // recovery.
    virtual int maxDisconnectionDuration() const = 0;
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
    // The same, answered through `done` once known (an adapter that asks a database); the
    // default calls the synchronous one and answers at once.
    virtual void restoreSession(const QString &pid, const QString &offset,
                                const std::function<void(const std::optional<Session> &)> &done);

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

Q_DECLARE_SHARED(SocketIO::BroadcastOptions)
Q_DECLARE_METATYPE(SocketIO::BroadcastOptions)
Q_DECLARE_SHARED(SocketIO::SocketDetails)
Q_DECLARE_METATYPE(SocketIO::SocketDetails)
Q_DECLARE_SHARED(SocketIO::Session)
Q_DECLARE_METATYPE(SocketIO::Session)
