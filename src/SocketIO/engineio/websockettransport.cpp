#include "engineio/websockettransport_p.h"

#include <QtNetwork/QTcpSocket>

namespace SocketIO::EngineIO {

WebSocketTransport::WebSocketTransport(const Protocol &protocol, QObject *parent)
    : Transport(protocol, parent)
{}

void WebSocketTransport::onDisconnected()
{
    if (m_closing)
        return;
    m_closing = true;
    // Messages read together with the close are handled first: in Node a WebSocket close
    // is always a later event than the frames before it.
    QMetaObject::invokeMethod(this, &WebSocketTransport::notifyClosed, Qt::QueuedConnection);
}

void WebSocketTransport::close()
{
    if (m_closing)
        return;
    m_closing = true;
    closeSocket();
    notifyClosed();
}

void WebSocketTransport::onFrame(QByteArray &&frame, bool binary)
{
    Packet packet = m_protocol.decodeFrame(std::move(frame), binary);
    deliver(packet);
}

QtWebSocketTransport::QtWebSocketTransport(QWebSocket *socket, QTcpSocket *tcp,
                                           const Protocol &protocol, qint64 maxMessageSize,
                                           QObject *parent)
    : WebSocketTransport(protocol, parent)
    , m_socket(socket)
{
    socket->setParent(this);
    // QWebSocket reads in its own (earlier) slot and answers each ping there, unasked: a
    // client that pings and never reads grows the write buffer without any send().
    if (tcp)
        connect(tcp, &QTcpSocket::readyRead, this, [this] { notifyBytesQueued(); });
    // Larger messages make QWebSocket close with 1009 (message too big), as ws does with
    // its maxPayload.
    socket->setMaxAllowedIncomingMessageSize(quint64(maxMessageSize));
    socket->setMaxAllowedIncomingFrameSize(quint64(maxMessageSize));
    connect(socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &message) { onFrame(message.toUtf8(), false); });
    connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this](QByteArray message) { onFrame(std::move(message), true); });
    connect(socket, &QWebSocket::disconnected, this, &QtWebSocketTransport::onDisconnected);
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError) {
                if (m_closing)
                    return;
                // A peer that just goes away is a close, not an error.
                if (m_socket->error() == QAbstractSocket::RemoteHostClosedError)
                    return;
                notifyError(m_socket->errorString());
            });
}

QtWebSocketTransport::~QtWebSocketTransport()
{
    m_socket->disconnect(this);
    m_socket->abort();
}

void QtWebSocketTransport::send(const QList<Packet> &packets)
{
    for (const Packet &packet : packets)
        sendOne(packet);
}

void QtWebSocketTransport::sendOne(Packet &&packet)
{
    if (m_protocol.framesTextInPlace() && !packet.binary) {
        // Moved in unshared, the data takes the type character in place.
        packet.data.prepend(typeChar(packet.type));
        m_socket->sendTextMessage(QString::fromUtf8(packet.data));
        return;
    }
    sendOne(std::as_const(packet));
}

void QtWebSocketTransport::sendOne(const Packet &packet)
{
    bool binaryFrame = false;
    const QByteArray frame = m_protocol.encodeFrame(packet, &binaryFrame);
    if (binaryFrame)
        m_socket->sendBinaryMessage(frame);
    else
        m_socket->sendTextMessage(QString::fromUtf8(frame));
}

} // namespace SocketIO::EngineIO
