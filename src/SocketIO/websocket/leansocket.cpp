#include "websocket/leansocket_p.h"

#include <QtCore/QtEndian>
#include <QtNetwork/QTcpSocket>

namespace SocketIO::WebSocket {

LeanSocket::LeanSocket(QTcpSocket *socket, qint64 maxMessageSize, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_reader(maxMessageSize)
{
    socket->setParent(this);
    connect(socket, &QTcpSocket::readyRead, this, &LeanSocket::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &LeanSocket::onDisconnected);
}

LeanSocket::~LeanSocket()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

QHostAddress LeanSocket::peerAddress() const
{
    return m_socket ? m_socket->peerAddress() : QHostAddress();
}

quint16 LeanSocket::peerPort() const
{
    return m_socket ? m_socket->peerPort() : 0;
}

void LeanSocket::accept(const HttpRequest &request, const QList<HttpResponse::Header> &extraHeaders)
{
    QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                          acceptKey(request.header("sec-websocket-key")) + "\r\n";
    for (const auto &header : extraHeaders)
        response += header.first + ": " + header.second + "\r\n";
    response += "\r\n";
    m_socket->write(response);
    m_state = State::Open;
    if (m_socket->bytesAvailable())
        QMetaObject::invokeMethod(this, &LeanSocket::onReadyRead, Qt::QueuedConnection);
}

void LeanSocket::onReadyRead()
{
    if (!m_socket || m_state == State::Closed)
        return;
    m_buffer += m_socket->readAll();
    QList<FrameReader::Message> messages;
    const bool ok = m_reader.read(m_buffer, &messages);
    QPointer<LeanSocket> self(this);
    for (const FrameReader::Message &message : std::as_const(messages)) {
        if (!self || m_state != State::Open)
            return;
        switch (message.opcode) {
        case Opcode::Text:
            Q_EMIT textReceived(message.payload);
            break;
        case Opcode::Binary:
            Q_EMIT binaryReceived(message.payload);
            break;
        case Opcode::Ping:
            sendFrame(encodeFrame(Opcode::Pong, message.payload));
            break;
        case Opcode::Pong:
            break;
        case Opcode::Close: {
            // Echo the peer's code and close.
            const quint16 code = message.payload.size() >= 2
                                     ? qFromBigEndian<quint16>(message.payload.constData())
                                     : quint16(NormalClosure);
            m_closeCode = code;
            close(message.payload.size() >= 2 ? code : quint16(NormalClosure));
            return;
        }
        case Opcode::Continuation:
            break;
        }
    }
    if (!ok && self && m_state == State::Open) {
        const QString why = QString::fromLatin1(m_reader.errorReason());
        close(m_reader.closeCode(), m_reader.errorReason());
        Q_EMIT errorOccurred(why);
    }
}

void LeanSocket::sendText(QByteArrayView utf8)
{
    if (m_state == State::Open)
        m_socket->write(encodeFrame(Opcode::Text, utf8));
}

void LeanSocket::sendBinary(QByteArrayView data)
{
    if (m_state == State::Open)
        m_socket->write(encodeFrame(Opcode::Binary, data));
}

void LeanSocket::sendFrame(const QByteArray &frame)
{
    if (m_state == State::Open)
        m_socket->write(frame);
}

void LeanSocket::close(quint16 code, const QByteArray &reason)
{
    if (m_state != State::Open || !m_socket)
        return;
    m_state = State::Closing;
    if (!m_closeCode)
        m_closeCode = code;
    QByteArray payload(2, Qt::Uninitialized);
    qToBigEndian<quint16>(code, payload.data());
    payload += reason.left(123);
    m_socket->write(encodeFrame(Opcode::Close, payload));
    m_socket->disconnectFromHost();
}

void LeanSocket::abort()
{
    if (m_socket)
        m_socket->abort();
}

void LeanSocket::onDisconnected()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    Q_EMIT disconnected();
}

} // namespace SocketIO::WebSocket
