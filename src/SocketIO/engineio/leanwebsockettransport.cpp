#include "engineio/leanwebsockettransport_p.h"

namespace SocketIO::EngineIO {

LeanWebSocketTransport::LeanWebSocketTransport(WebSocket::LeanSocket *socket,
                                               const Protocol &protocol, QObject *parent)
    : WebSocketTransport(protocol, parent)
    , m_socket(socket)
{
    socket->setParent(this);
    socket->setReceiver(this);
}

LeanWebSocketTransport::~LeanWebSocketTransport()
{
    m_socket->setReceiver(nullptr);
}

void LeanWebSocketTransport::send(const QList<Packet> &packets)
{
    for (const Packet &packet : packets)
        sendOne(packet);
}

void LeanWebSocketTransport::sendOne(Packet &&packet)
{
    if (m_socket->deflates(messageSize(packet), packet.compress)) {
        sendCompressed(packet);
        return;
    }
    if (m_protocol.framesTextInPlace() && !packet.binary && packet.wsFrame.isEmpty()) {
        // Moved in unshared, with the room the encoder leaves before it, the data takes the
        // type character and the frame header in place.
        m_socket->sendFrame(
            WebSocket::encodeTextFrame(typeChar(packet.type), std::move(packet.data)));
        return;
    }
    sendOne(std::as_const(packet));
}

void LeanWebSocketTransport::sendOne(const Packet &packet)
{
    // With permessage-deflate, each connection has its own compression context: a message
    // that is compressed is compressed for this socket, and a broadcast's shared frame only
    // serves the sockets without deflate and the messages below the threshold.
    if (m_socket->deflates(messageSize(packet), packet.compress)) {
        sendCompressed(packet);
        return;
    }
    if (m_protocol.framesTextInPlace()) {
        if (!packet.wsFrame.isEmpty()) // a broadcast's frame, shared by every recipient
            m_socket->sendFrame(packet.wsFrame);
        else if (packet.binary)
            m_socket->sendBinary(packet.data);
        else // shared: copied once, into the frame
            m_socket->sendFrame(WebSocket::encodeTextFrame(typeChar(packet.type), packet.data));
        return;
    }
    bool binaryFrame = false;
    const QByteArray frame = m_protocol.encodeFrame(packet, &binaryFrame);
    if (binaryFrame)
        m_socket->sendBinary(frame);
    else
        m_socket->sendText(frame);
}

void LeanWebSocketTransport::sendCompressed(const Packet &packet)
{
    using WebSocket::Opcode;
    if (m_protocol.framesTextInPlace()) {
        if (packet.binary) {
            m_socket->sendCompressed(Opcode::Binary, {}, packet.data);
        } else {
            const char type = typeChar(packet.type);
            m_socket->sendCompressed(Opcode::Text, QByteArrayView(&type, 1), packet.data);
        }
        return;
    }
    bool binaryFrame = false;
    const QByteArray frame = m_protocol.encodeFrame(packet, &binaryFrame);
    m_socket->sendCompressed(binaryFrame ? Opcode::Binary : Opcode::Text, {}, frame);
}

} // namespace SocketIO::EngineIO
