#include "engineio/websockettransport_p.h"

namespace SocketIO::EngineIO {

WebSocketTransport::WebSocketTransport(QWebSocket *socket, int protocol, qint64 maxMessageSize,
                                       QObject *parent)
    : Transport(protocol, parent)
    , m_socket(socket)
{
    socket->setParent(this);
    // Larger messages make QWebSocket close with 1009 (message too big), as ws does with
    // its maxPayload.
    socket->setMaxAllowedIncomingMessageSize(quint64(maxMessageSize));
    socket->setMaxAllowedIncomingFrameSize(quint64(maxMessageSize));
    connect(socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &message) { onFrame(message.toUtf8(), false); });
    connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this](const QByteArray &message) { onFrame(message, true); });
    connect(socket, &QWebSocket::disconnected, this, [this] {
        if (!m_closing) {
            m_closing = true;
            Q_EMIT closed();
        }
    });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError) {
                if (m_closing || !m_socket)
                    return;
                // A peer that just goes away is a close, not an error.
                if (m_socket->error() == QAbstractSocket::RemoteHostClosedError)
                    return;
                Q_EMIT errorOccurred(m_socket->errorString());
            });
}

WebSocketTransport::~WebSocketTransport()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void WebSocketTransport::onFrame(QByteArrayView frame, bool binary)
{
    Q_EMIT packetReceived(m_protocol == 3 ? V3::decodePacket(frame, binary)
                                          : decodePacket(frame, binary));
}

void WebSocketTransport::send(const QList<Packet> &packets)
{
    if (!m_socket)
        return;
    for (const Packet &packet : packets) {
        bool binaryFrame = false;
        const QByteArray frame = m_protocol == 3 ? V3::encodePacket(packet, true, &binaryFrame)
                                                 : encodePacket(packet, true, &binaryFrame);
        if (binaryFrame)
            m_socket->sendBinaryMessage(frame);
        else
            m_socket->sendTextMessage(QString::fromUtf8(frame));
    }
}

void WebSocketTransport::close()
{
    if (m_closing)
        return;
    m_closing = true;
    if (m_socket)
        m_socket->close();
    Q_EMIT closed();
}

} // namespace SocketIO::EngineIO
