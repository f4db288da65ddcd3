#include "engineio/session_p.h"

#include "engineio/enginesocket_p.h"
#include "engineoptions.h"
#include "websocket/frame_p.h"

namespace SocketIO {

using namespace EngineIO;

EngineSession::EngineSession(EngineSocket *socket)
    : m_d(EngineSocketPrivate::get(socket))
{}

EngineSocket *EngineSession::socket() const
{
    return m_d->q_ptr;
}

int EngineSession::socketIOProtocol() const
{
    return m_d->protocol.socketIOProtocol();
}

void EngineSession::setMessageSink(EngineMessageSink *sink)
{
    m_d->messageSink = sink;
}

bool EngineSession::canSend(bool isVolatile) const
{
    if (m_d->readyState != EngineSocket::ReadyState::Open)
        return false;
    return !isVolatile || (m_d->transport && m_d->transport->isWritable());
}

void EngineSession::send(QByteArray &&data, bool binary, bool compress)
{
    Packet packet = binary ? Packet::bytes(std::move(data))
                           : Packet::text(PacketType::Message, std::move(data));
    packet.compress = compress;
    m_d->sendPacket(std::move(packet));
}

void EngineSession::sendShared(const QList<Packet> &messages, bool isVolatile)
{
    if (!canSend(isVolatile))
        return;
    for (const Packet &packet : messages)
        m_d->sendPacket(packet);
}

void EngineSession::close()
{
    m_d->q_ptr->close();
}

Packet EngineSession::shared(const QByteArray &data, bool binary, bool compress, bool preframed)
{
    Packet packet = binary ? Packet::bytes(data) : Packet::text(PacketType::Message, data);
    packet.compress = compress;
    if (preframed && !binary)
        packet.wsFrame = WebSocket::encodeTextFrame(typeChar(PacketType::Message), packet.data);
    return packet;
}

bool EngineSession::writesPreframed(const EngineOptions &options)
{
    // The lean engine writes a shared frame as it is; QWebSocket frames every message itself.
#if SOCKETIO_LEAN_ENGINE
    return options.wsEngine == u"lean";
#else
    Q_UNUSED(options);
    return false;
#endif
}

} // namespace SocketIO
