// The WebSocket transport. The Engine.IO side is shared; each WebSocket engine is its own
// final class: QtWebSocketTransport here (wsEngine "qt"), LeanWebSocketTransport in
// leanwebsockettransport_p.h (wsEngine "lean", built with SOCKETIO_LEAN_ENGINE).
#pragma once

#include "engineio/transport_p.h"

#include <QtWebSockets/QWebSocket>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace SocketIO::EngineIO {

class WebSocketTransport : public Transport
{
    Q_OBJECT
public:
    QString name() const override { return QStringLiteral("websocket"); }
    bool batches() const override { return false; }
    bool isWritable() const override { return !m_closing; }
    // Once: closes the engine's socket, then tells the sink it closed.
    void close() final;

protected:
    WebSocketTransport(const Protocol &protocol, QObject *parent);
    void onFrame(QByteArray &&frame, bool binary);
    void onDisconnected();
    // Starts the engine's WebSocket close handshake.
    virtual void closeSocket() = 0;

    bool m_closing = false;
};

// Over QWebSocket, which frames every message itself.
class QtWebSocketTransport final : public WebSocketTransport
{
    Q_OBJECT
public:
    // Take ownership of the socket. `tcp`, the connection under it, tells when the socket
    // has read (and answered pings, which nothing else tells).
    QtWebSocketTransport(QWebSocket *socket, QTcpSocket *tcp, const Protocol &protocol,
                         qint64 maxMessageSize, QObject *parent);
    ~QtWebSocketTransport() override;

    void send(const QList<Packet> &packets) override;
    void sendOne(const Packet &packet) override;
    void sendOne(Packet &&packet) override;
    qint64 bufferedBytes() const override { return m_socket->bytesToWrite(); }

private:
    void closeSocket() override { m_socket->close(); }

    // The socket is a child of the transport: a plain pointer (a QPointer costs a cache miss
    // on every send to each recipient of a broadcast).
    QWebSocket *const m_socket;
};

} // namespace SocketIO::EngineIO
