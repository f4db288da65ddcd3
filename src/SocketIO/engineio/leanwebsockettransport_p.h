// The WebSocket transport over the built-in RFC 6455 socket (wsEngine "lean"), which writes
// the pre-built frames of a broadcast as they are. Built with SOCKETIO_LEAN_ENGINE only.
#pragma once

#include "engineio/websockettransport_p.h"
#include "websocket/leansocket_p.h"

namespace SocketIO::EngineIO {

class LeanWebSocketTransport final : public WebSocketTransport,
                                     private WebSocket::LeanSocket::Receiver
{
    Q_OBJECT
public:
    // Takes ownership of the socket.
    LeanWebSocketTransport(WebSocket::LeanSocket *socket, const Protocol &protocol,
                           QObject *parent);
    ~LeanWebSocketTransport() override;

    void send(const QList<Packet> &packets) override;
    void sendOne(const Packet &packet) override;
    void sendOne(Packet &&packet) override;
    qint64 bufferedBytes() const override { return m_socket->bufferedBytes(); }

private:
    void closeSocket() override { m_socket->close(); }
    void socketMessage(QByteArray &&message, bool binary) override
    {
        onFrame(std::move(message), binary);
    }
    void socketDisconnected() override { onDisconnected(); }
    void socketPongsQueued() override { notifyBytesQueued(); }
    // A frame the engine refuses (too big, malformed) is an error, as ws reports it: the
    // session ends with "transport error", before the close handshake ends the socket.
    void socketError(const QString &description) override
    {
        if (!m_closing)
            notifyError(description);
    }
    // With permessage-deflate: the packet as one compressed message.
    void sendCompressed(const Packet &packet);
    // The size of the packet's WebSocket message (v4 binary: the data; else a type byte too).
    qsizetype messageSize(const Packet &packet) const
    {
        return packet.data.size() + (packet.binary && m_protocol.framesTextInPlace() ? 0 : 1);
    }

    // The socket is a child of the transport: a plain pointer (a QPointer costs a cache miss
    // on every send to each recipient of a broadcast).
    WebSocket::LeanSocket *const m_socket;
};

} // namespace SocketIO::EngineIO
