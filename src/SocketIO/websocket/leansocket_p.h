// The built-in ("lean") server WebSocket: RFC 6455 over a QTcpSocket, without QWebSocket's
// per-socket buffers.
#pragma once

#include "httprequest.h"
#include "websocket/frame_p.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace SocketIO::WebSocket {

class LeanSocket : public QObject
{
    Q_OBJECT
public:
    // Takes ownership of `socket`, whose upgrade request has been read already.
    LeanSocket(QTcpSocket *socket, qint64 maxMessageSize, QObject *parent = nullptr);
    ~LeanSocket() override;

    // Answers the upgrade with 101 and the extra headers, and starts reading frames.
    void accept(const HttpRequest &request, const QList<HttpResponse::Header> &extraHeaders);

    void sendText(QByteArrayView utf8);
    void sendBinary(QByteArrayView data);
    // Writes an already encoded frame (shared by every recipient of a broadcast).
    void sendFrame(const QByteArray &frame);
    // Sends a close frame and closes the connection once it is written.
    void close(quint16 code = NormalClosure, const QByteArray &reason = {});
    void abort();

    bool isOpen() const { return m_state == State::Open; }
    quint16 closeCode() const { return m_closeCode; }
    QHostAddress peerAddress() const;
    quint16 peerPort() const;

Q_SIGNALS:
    void textReceived(const QByteArray &utf8);
    void binaryReceived(const QByteArray &data);
    void disconnected();
    void errorOccurred(const QString &description);

private:
    enum class State { Connecting, Open, Closing, Closed };
    void onReadyRead();
    void onDisconnected();

    QPointer<QTcpSocket> m_socket;
    FrameReader m_reader;
    QByteArray m_buffer;
    State m_state = State::Connecting;
    quint16 m_closeCode = 0;
};

} // namespace SocketIO::WebSocket
