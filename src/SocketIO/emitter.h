#pragma once

#include "socketio_export.h"
#include <SocketIO/callbacks.h>

#include <QtCore/QFuture>
#include <QtCore/QPointer>

namespace SocketIO {

class ClientSocket;
class Socket;

// One emit with flags, to one server-side Socket or one ClientSocket:
// socket->timeout(5000).emitWithAck(...). A value type: each modifier returns a new Emitter.
class SOCKETIO_EXPORT Emitter
{
public:
    Emitter() = default; // no socket: emits nothing
    explicit Emitter(Socket *socket, BroadcastFlags flags = {});
    explicit Emitter(ClientSocket *socket, BroadcastFlags flags = {});

    Emitter timeout(int milliseconds) const;
    Emitter compress(bool compress) const;
    Emitter asVolatile() const;

    bool emitEvent(const QString &event, const QVariantList &args = {}) const;
    bool emitEvent(const QString &event, const QVariantList &args, QObject *context,
                   AckCallback callback) const;
    QFuture<QVariantList> emitWithAck(const QString &event, const QVariantList &args = {}) const;

private:
    // The socket's own emit, set by the constructor for its kind of socket.
    using Send = bool (*)(QObject *socket, const QString &event, const QVariantList &args,
                          const BroadcastFlags &flags, QObject *context, AckCallback callback);

    QPointer<QObject> m_socket;
    Send m_send = nullptr;
    BroadcastFlags m_flags;
};

} // namespace SocketIO
