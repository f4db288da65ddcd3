// A client WebSocket (RFC 6455) over QTcpSocket or QSslSocket, with permessage-deflate
// (RFC 7692) as ws's client offers and accepts it. Used by the Engine.IO client when
// perMessageDeflate is on (QWebSocket has no extensions).
//
// It checks the 101 as ws's client does (Upgrade, Sec-WebSocket-Accept, the subprotocol, the
// extension), writes masked frames, reads unmasked ones (a masked server frame is a protocol
// error), answers pings, and puts fragmented messages back together up to maxMessageSize
// bytes, inflated size included (1009 past it).
#pragma once

#include "websocket/deflate_p.h"
#include "websocket/frame_p.h"

#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QStringList>
#include <QtCore/QUrl>
#include <QtNetwork/QSslConfiguration>

#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace SocketIO::WebSocket {

// The status code and the headers (lower-case names, repeated ones joined with ", ") of a
// server's response head; false when it is not HTTP/1.x.
SOCKETIO_TESTABLE bool parseResponseHead(QByteArrayView head, int *status,
                                         QHash<QByteArray, QByteArray> *headers);

// ws's default maxPayload, for a client too: 100 MiB.
inline constexpr qint64 DefaultMaxMessageSize = 100 * 1024 * 1024;

class SOCKETIO_TESTABLE ClientConnection : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QUrl url; // ws:// or wss://
        // Added to the upgrade request; the handshake's own headers cannot be replaced.
        QList<QPair<QByteArray, QByteArray>> headers;
        QStringList subprotocols;
        QSslConfiguration ssl; // for wss
        bool ignoreSslErrors = false;
        // Offers permessage-deflate with these settings; messages of at least
        // deflate->threshold bytes are compressed once it is agreed on.
        std::optional<DeflateConfig> deflate;
        qint64 maxMessageSize = DefaultMaxMessageSize;
    };

    explicit ClientConnection(QObject *parent = nullptr);
    ~ClientConnection() override;
    Q_DISABLE_COPY_MOVE(ClientConnection)

    // Connects and sends the upgrade request; connected() or errorOccurred() follows.
    void open(const Options &options);
    // Sends one message, compressed when deflate was agreed on, `compress` is set and the
    // message is not below the threshold. Nothing happens unless the connection is open.
    void send(QByteArrayView data, bool binary, bool compress = true);
    // Starts the close handshake; disconnected() follows.
    void close(quint16 code = NormalClosure);

    bool isOpen() const { return m_state == State::Open; }
    // The Sec-WebSocket-Extensions the server answered with (empty: no extension).
    QByteArray extensions() const { return m_extensions; }
    QString subprotocol() const { return m_subprotocol; }
    // The code of the close frame read or sent (0: none).
    quint16 closeCode() const { return m_closeCode; }
    QString errorString() const { return m_error; }
    // Messages sent with RSV1 set (compressed), for tests and measurements.
    qint64 compressedMessagesSent() const { return m_compressedSent; }

Q_SIGNALS:
    void connected();
    void messageReceived(const QByteArray &data, bool binary);
    // The connection ended after connected(): a close handshake, or the TCP connection lost.
    void disconnected();
    // The handshake failed, or the server broke the protocol (a close frame with the matching
    // code was sent). Nothing follows.
    void errorOccurred(const QString &description);

private:
    enum class State { Idle, Connecting, Handshake, Open, Closing, Closed };
    void onConnected();
    void onReadyRead();
    void onSocketGone();
    bool readHandshake();
    bool readFrames();
    void write(const QByteArray &frame);
    void fail(const QString &description, quint16 closeCode = 0);
    void finish();
    QByteArray maskedFrame(Opcode opcode, QByteArrayView payload);

    QTcpSocket *m_socket = nullptr;
    Options m_options;
    State m_state = State::Idle;
    QByteArray m_key;
    QByteArray m_buffer;
    std::unique_ptr<FrameReader> m_reader;
    std::unique_ptr<Deflater> m_deflater;
    QByteArray m_extensions;
    QString m_subprotocol;
    QString m_error;
    quint16 m_closeCode = 0;
    bool m_closeSent = false;
    qint64 m_compressedSent = 0;
};

} // namespace SocketIO::WebSocket
