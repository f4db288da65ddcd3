#include "emitter.h"

namespace SocketIO {

QmlEmitter::QmlEmitter(const Emitter &emitter, bool hasTimeout, QObject *owner)
    : QmlSender(owner)
    , m_emitter(emitter)
    , m_hasTimeout(hasTimeout)
{}

QmlEmitter::~QmlEmitter() = default;

QmlEmitter *QmlEmitter::timeout(int milliseconds) const
{
    return new QmlEmitter(m_emitter.timeout(milliseconds), true, owner());
}

QmlEmitter *QmlEmitter::compress(bool compress) const
{
    return new QmlEmitter(m_emitter.compress(compress), m_hasTimeout, owner());
}

QmlEmitter *QmlEmitter::asVolatile() const
{
    return new QmlEmitter(m_emitter.asVolatile(), m_hasTimeout, owner());
}

QmlSender::AckStyle QmlEmitter::ackStyle() const
{
    return m_hasTimeout ? AckStyle::ErrorFirst : AckStyle::Plain;
}

bool QmlEmitter::send(const QString &event, const QVariantList &args, QObject *context,
                      AckCallback callback)
{
    return callback ? m_emitter.emitEvent(event, args, context, std::move(callback))
                    : m_emitter.emitEvent(event, args);
}

bool QmlEmitter::sendForPromise(const QString &event, const QVariantList &args, QObject *context,
                                AckCallback callback)
{
    // Only a client's emitter comes without a timeout (a server socket's comes from timeout()).
    if (m_hasTimeout)
        return send(event, args, context, std::move(callback));
    return settleWithFuture(m_emitter.emitWithAck(event, args), event, context,
                            std::move(callback));
}

} // namespace SocketIO
