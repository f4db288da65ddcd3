#include "emitter.h"

#include "core/listeners_p.h"

namespace SocketIO {

/*!
    \class SocketIO::Emitter
    \inmodule SocketIO
    \brief Emits to one socket with flags (timeout, compress, volatile).

    Returned by Socket::timeout(), ClientSocket::timeout() and their siblings; it holds a
    guarded pointer to the socket and sends nothing once the socket is gone. Its constructors
    are defined next to each socket, which supplies its own emit.
*/

/*!
    \fn SocketIO::Emitter::Emitter()

    Creates an Emitter with no socket: its emits send nothing and return false.
*/

/*!
    Returns a copy that waits \a milliseconds for the acknowledgement.
*/
Emitter Emitter::timeout(int milliseconds) const
{
    Emitter e = *this;
    e.m_flags.setTimeout(milliseconds);
    return e;
}

/*!
    Returns a copy that asks the transport to \a compress, or not.
*/
Emitter Emitter::compress(bool compress) const
{
    Emitter e = *this;
    e.m_flags.setCompressed(compress);
    return e;
}

/*!
    Returns a copy whose event may be lost when the transport is not writable.
*/
Emitter Emitter::asVolatile() const
{
    Emitter e = *this;
    e.m_flags.setVolatile(true);
    return e;
}

/*!
    Emits \a event with \a args. Returns false when the socket is gone or the name is
    reserved.
*/
bool Emitter::emitEvent(const QString &event, const QVariantList &args) const
{
    return m_socket && m_send(m_socket, event, args, m_flags, nullptr, {});
}

/*!
    Emits \a event with \a args and an acknowledgement: \a callback runs once (an answer or
    a timeout), unless \a context is gone by then.
*/
bool Emitter::emitEvent(const QString &event, const QVariantList &args, QObject *context,
                        AckCallback callback) const
{
    return m_socket && m_send(m_socket, event, args, m_flags, context, std::move(callback));
}

/*!
    Emits \a event with \a args; the future gets the acknowledgement's arguments, or a
    TimeoutError.
*/
QFuture<QVariantList> Emitter::emitWithAck(const QString &event, const QVariantList &args) const
{
    return ackFuture(
        [&](AckCallback callback) { return emitEvent(event, args, nullptr, std::move(callback)); });
}

} // namespace SocketIO
