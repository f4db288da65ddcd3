#include "engineio/websockettransport_p.h"

#include <QtNetwork/QTcpSocket>

namespace SocketIO::EngineIO {

WebSocketTransport::WebSocketTransport(QWebSocket *socket, QTcpSocket *tcp, int protocol,
                                       qint64 maxMessageSize, QObject *parent)
    : Transport(protocol, parent)
    , m_qt(socket)
{
    socket->setParent(this);
    // QWebSocket reads in its own (earlier) slot and answers each ping there, unasked: a
    // client that pings and never reads grows the write buffer without any send().
    if (tcp)
        connect(tcp, &QTcpSocket::readyRead, this, &Transport::bytesQueued);
    // Larger messages make QWebSocket close with 1009 (message too big), as ws does with
    // its maxPayload.
    socket->setMaxAllowedIncomingMessageSize(quint64(maxMessageSize));
    socket->setMaxAllowedIncomingFrameSize(quint64(maxMessageSize));
    connect(socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &message) { onFrame(message.toUtf8(), false); });
    connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this](QByteArray message) { onFrame(std::move(message), true); });
    connect(socket, &QWebSocket::disconnected, this, &WebSocketTransport::onDisconnected);
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError) {
                if (m_closing || !m_qt)
                    return;
                // A peer that just goes away is a close, not an error.
                if (m_qt->error() == QAbstractSocket::RemoteHostClosedError)
                    return;
                Q_EMIT errorOccurred(m_qt->errorString());
            });
}

WebSocketTransport::WebSocketTransport(WebSocket::LeanSocket *socket, int protocol, QObject *parent)
    : Transport(protocol, parent)
    , m_lean(socket)
{
    socket->setParent(this);
    socket->setMessageHandler(
        [this](QByteArray &&message, bool binary) { onFrame(std::move(message), binary); });
    connect(socket, &WebSocket::LeanSocket::disconnected, this,
            &WebSocketTransport::onDisconnected);
    connect(socket, &WebSocket::LeanSocket::pongsQueued, this, &Transport::bytesQueued);
    // A frame the engine refuses (too big, malformed) is an error, as ws reports it: the
    // session ends with "transport error", before the close handshake ends the socket.
    connect(socket, &WebSocket::LeanSocket::errorOccurred, this, [this](const QString &why) {
        if (!m_closing)
            Q_EMIT errorOccurred(why);
    });
}

WebSocketTransport::~WebSocketTransport()
{
    if (m_qt) {
        m_qt->disconnect(this);
        m_qt->abort();
    }
    if (m_lean) {
        m_lean->disconnect(this);
        m_lean->setMessageHandler(nullptr);
    }
}

void WebSocketTransport::onDisconnected()
{
    if (m_closing)
        return;
    m_closing = true;
    // Messages read together with the close are handled first: in Node a WebSocket close
    // is always a later event than the frames before it.
    QMetaObject::invokeMethod(this, &WebSocketTransport::closed, Qt::QueuedConnection);
}

void WebSocketTransport::onFrame(QByteArray &&frame, bool binary)
{
    // v4 packets keep the frame's buffer: a binary frame is the payload itself, a text
    // frame loses its type character in place.
    Packet packet =
        m_protocol == 3 ? V3::decodePacket(frame, binary) : decodePacket(std::move(frame), binary);
    deliver(packet);
}

void WebSocketTransport::send(const QList<Packet> &packets)
{
    for (const Packet &packet : packets)
        sendOne(packet);
}

void WebSocketTransport::sendOne(Packet &&packet)
{
    if (m_protocol != 3 && !packet.binary && packet.wsFrame.isEmpty())
        sendText(typeChar(packet.type), std::move(packet.data));
    else
        sendOne(std::as_const(packet));
}

void WebSocketTransport::sendOne(const Packet &packet)
{
    if (m_protocol != 3 && !packet.binary && packet.wsFrame.isEmpty()) {
        sendText(typeChar(packet.type), packet.data);
        return;
    }
    if (m_lean) {
        if (m_protocol != 3) {
            if (!packet.wsFrame.isEmpty())
                m_lean->sendFrame(packet.wsFrame);
            else
                m_lean->sendBinary(packet.data);
            return;
        }
        bool binaryFrame = false;
        const QByteArray frame = V3::encodePacket(packet, true, &binaryFrame);
        if (binaryFrame)
            m_lean->sendBinary(frame);
        else
            m_lean->sendText(frame);
        return;
    }
    if (!m_qt)
        return;
    bool binaryFrame = false;
    const QByteArray frame = m_protocol == 3 ? V3::encodePacket(packet, true, &binaryFrame)
                                             : encodePacket(packet, true, &binaryFrame);
    if (binaryFrame)
        m_qt->sendBinaryMessage(frame);
    else
        m_qt->sendTextMessage(QString::fromUtf8(frame));
}

void WebSocketTransport::sendText(char type, QByteArray data)
{
    // `data` moved in unshared, with the room the encoder leaves before it, takes the type
    // (and for the lean engine the frame header) in place; shared, it is copied once.
    if (m_lean) {
        m_lean->sendFrame(WebSocket::encodeTextFrame(type, std::move(data)));
    } else if (m_qt) {
        data.prepend(type);
        m_qt->sendTextMessage(QString::fromUtf8(data));
    }
}

void WebSocketTransport::close()
{
    if (m_closing)
        return;
    m_closing = true;
    if (m_qt)
        m_qt->close();
    if (m_lean)
        m_lean->close();
    Q_EMIT closed();
}

} // namespace SocketIO::EngineIO
