#include "emitter.h"

#include "listeners_p.h"

namespace SocketIO {

/*!
    \class SocketIO::Emitter
    \inmodule SocketIO
    \brief Emits to one socket with flags (timeout, compress, volatile).

    Returned by Socket::timeout(), ClientSocket::timeout() and their siblings; it holds a
    guarded pointer to the socket and sends nothing once the socket is gone. Its constructors
    are defined next to each socket, which supplies its own emit.
*/

Emitter Emitter::timeout(int milliseconds) const
{
    Emitter e = *this;
    e.m_flags.timeout = milliseconds;
    return e;
}

Emitter Emitter::compress(bool compress) const
{
    Emitter e = *this;
    e.m_flags.compress = compress;
    return e;
}

Emitter Emitter::asVolatile() const
{
    Emitter e = *this;
    e.m_flags.isVolatile = true;
    return e;
}

bool Emitter::emitEvent(const QString &event, const QVariantList &args) const
{
    return m_socket && m_send(m_socket, event, args, m_flags, nullptr, {});
}

bool Emitter::emitEvent(const QString &event, const QVariantList &args, QObject *context,
                        AckCallback callback) const
{
    return m_socket && m_send(m_socket, event, args, m_flags, context, std::move(callback));
}

QFuture<QVariantList> Emitter::emitWithAck(const QString &event, const QVariantList &args) const
{
    return ackFuture(
        [&](AckCallback callback) { return emitEvent(event, args, nullptr, std::move(callback)); });
}

} // namespace SocketIO
