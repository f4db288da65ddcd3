#pragma once

#include "adapter.h"
#include "callbacks.h"
#include "socketio_export.h"

#include <QtCore/QFuture>
#include <QtCore/QPointer>

namespace SocketIO {

class RemoteSocket;

// Selects sockets of a namespace and acts on them, like the reference's BroadcastOperator:
// server.to("room").except("other").timeout(5000).emitEvent(...). A value type: each
// modifier returns a new operator.
class SOCKETIO_EXPORT BroadcastOperator
{
public:
    BroadcastOperator() = default;
    explicit BroadcastOperator(Adapter *adapter, QSet<QString> rooms = {},
                               QSet<QString> except = {}, BroadcastFlags flags = {});

    BroadcastOperator to(const QString &room) const;
    BroadcastOperator to(const QStringList &rooms) const;
    BroadcastOperator in(const QString &room) const { return to(room); }
    BroadcastOperator in(const QStringList &rooms) const { return to(rooms); }
    BroadcastOperator except(const QString &room) const;
    BroadcastOperator except(const QStringList &rooms) const;
    BroadcastOperator compress(bool compress) const;
    // Events may be lost when a recipient's transport is not writable (the reference's
    // `volatile`, a C++ keyword).
    BroadcastOperator asVolatile() const;
    // Only this server's sockets, when an adapter joins several servers.
    BroadcastOperator local() const;
    BroadcastOperator timeout(int milliseconds) const;

    // Returns false (and sends nothing) for a reserved event name.
    bool emitEvent(const QString &event, const QVariantList &args = {}) const;
    // With acknowledgements from every recipient: `callback` gets ("", responses) when all
    // answered, or ("operation has timed out", what arrived). Needs timeout().
    bool emitEvent(
        const QString &event, const QVariantList &args, QObject *context,
        std::function<void(const QString &error, const QVariantList &responses)> callback) const;
    QFuture<QVariantList> emitWithAck(const QString &event, const QVariantList &args = {}) const;
    bool send(const QVariantList &args) const { return emitEvent(QStringLiteral("message"), args); }

    QSet<QString> allSockets() const;
    void fetchSockets(QObject *context,
                      std::function<void(const QList<SocketIO::RemoteSocket> &)> callback) const;
    QFuture<QList<RemoteSocket>> fetchSockets() const;
    void socketsJoin(const QStringList &rooms) const;
    void socketsJoin(const QString &room) const { socketsJoin(QStringList{room}); }
    void socketsLeave(const QStringList &rooms) const;
    void socketsLeave(const QString &room) const { socketsLeave(QStringList{room}); }
    void disconnectSockets(bool close = false) const;

    QSet<QString> rooms() const { return m_rooms; }
    QSet<QString> exceptRooms() const { return m_except; }
    BroadcastFlags flags() const { return m_flags; }

private:
    QPointer<Adapter> m_adapter;
    QSet<QString> m_rooms;
    QSet<QString> m_except;
    BroadcastFlags m_flags;
};

// A socket found by fetchSockets(): its details, and operations addressed to it by id, so it
// works for sockets of other servers too.
class SOCKETIO_EXPORT RemoteSocket
{
public:
    RemoteSocket() = default;
    RemoteSocket(Adapter *adapter, const SocketDetails &details);

    QString id() const { return m_details.id(); }
    QVariantMap handshake() const { return m_details.handshake(); }
    QSet<QString> rooms() const { return m_details.rooms(); }
    QVariantMap data() const { return m_details.data(); }

    BroadcastOperator timeout(int milliseconds) const { return m_operator.timeout(milliseconds); }
    bool emitEvent(const QString &event, const QVariantList &args = {}) const;
    void join(const QString &room) const;
    void leave(const QString &room) const;
    // Named like Socket::disconnectSocket().
    void disconnectSocket(bool close = false) const;

private:
    QPointer<Adapter> m_adapter;
    SocketDetails m_details;
    BroadcastOperator m_operator;
};

} // namespace SocketIO

Q_DECLARE_METATYPE(SocketIO::RemoteSocket)
