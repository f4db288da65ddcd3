// The WebSocket transport, over either engine: QWebSocket (wsEngine "qt") or the built-in
// RFC 6455 socket (wsEngine "lean").
#pragma once

#include "engineio/transport_p.h"
#include "websocket/leansocket_p.h"

#include <QtWebSockets/QWebSocket>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace SocketIO::EngineIO {

class WebSocketTransport : public Transport
{
    Q_OBJECT
public:
    // Take ownership of the socket. `tcp`, the connection under it, tells when the socket
    // has read (and answered pings, which nothing else tells).
    WebSocketTransport(QWebSocket *socket, QTcpSocket *tcp, int protocol, qint64 maxMessageSize,
                       QObject *parent);
    WebSocketTransport(WebSocket::LeanSocket *socket, int protocol, QObject *parent);
    ~WebSocketTransport() override;

    QString name() const override { return QStringLiteral("websocket"); }
    bool isWritable() const override { return (m_qt || m_lean) && !m_closing; }
    void send(const QList<Packet> &packets) override;
    void sendOne(const Packet &packet) override;
    void sendOne(Packet &&packet) override;
    bool batches() const override { return false; }
    qint64 bufferedBytes() const override
    {
        return m_lean ? m_lean->bufferedBytes() : m_qt ? m_qt->bytesToWrite() : 0;
    }
    void close() override;

private:
    void onFrame(QByteArray &&frame, bool binary);
    // A v4 text packet, "<type><data>", as one text message.
    void sendText(char type, QByteArray data);
    void onDisconnected();

    // The socket is a child of the transport: plain pointers (a QPointer costs a cache miss
    // on every send to each recipient of a broadcast).
    QWebSocket *const m_qt = nullptr;
    WebSocket::LeanSocket *const m_lean = nullptr;
    bool m_closing = false;
};

} // namespace SocketIO::EngineIO
