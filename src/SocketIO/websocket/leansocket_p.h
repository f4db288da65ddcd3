// The built-in ("lean") server WebSocket: RFC 6455 straight on the socket descriptor.
//
// A plain TCP connection is taken over from its QTcpSocket: reads go through one scratch
// buffer per thread, and writes queue the frames themselves (shared, not copied) until the
// thread's Poller flushes them with one sendmsg(2) per connection and pass. An idle
// connection keeps no data buffers, only a few queue slots (QTcpSocket keeps a 16 KiB read
// and a 16 KiB write chunk per socket). A TLS connection (QSslSocket) stays on its socket.
#pragma once

#include "httprequest.h"
#include "websocket/deflate_p.h"
#include "websocket/frame_p.h"
#include "websocket/poller_p.h"

#include <QtCore/QBasicTimer>
#include <QtCore/QObject>
#include <QtCore/QPointer>

#include <memory>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
class QTcpSocket;
QT_END_NAMESPACE

namespace SocketIO::WebSocket {

// The most a connection reads per wake-up, in bytes (plain: recv(2) calls; TLS: the
// QSslSocket's read buffer): one fast sender cannot hold the thread while the others and
// the timers wait. What it sent beyond is read on the next pass.
constexpr qsizetype ReadBudget = 64 * 1024;

class LeanSocket : public QObject, private Poller::Watcher
{
    Q_OBJECT
public:
    // Takes over `socket`, whose upgrade request has been read already.
    LeanSocket(QTcpSocket *socket, qint64 maxMessageSize, QObject *parent = nullptr);
    ~LeanSocket() override;

    // Compresses the messages of at least config.threshold bytes and inflates the compressed
    // ones read, as agreed in `params`. Called before accept().
    void enableDeflate(const DeflateConfig &config, const DeflateParams &params);
    // Whether a message of `size` bytes goes out compressed: deflate was agreed on, the
    // sender did not turn it off, and the message is not below the threshold.
    bool deflates(qsizetype size, bool compress) const
    {
        return m_deflater && compress && size >= m_deflateThreshold;
    }
    // Sends `head` then `body` as one compressed message.
    void sendCompressed(Opcode opcode, QByteArrayView head, QByteArrayView body);

    // Answers the upgrade with 101 and the extra headers, and starts reading frames. The 101
    // leaves at once, on its own: what is written next leaves on a later pass, or after
    // `holdMs` (for a client that only listens for messages once its 'open' event has been
    // handled and would miss a message read with the 101 or soon after it).
    void accept(const HttpRequest &request, const QList<HttpResponse::Header> &extraHeaders,
                int holdMs = 0);

    // What the socket tells its owner, called directly: signal connections would cost each
    // idle connection some 400 bytes.
    class Receiver
    {
    public:
        // Each text (UTF-8) or binary message read, which it may keep without a copy.
        virtual void socketMessage(QByteArray &&message, bool binary) = 0;
        // The connection ended (a later event than the messages read before it).
        virtual void socketDisconnected() = 0;
        // Pongs were queued for pings read (once per read): what a client that pings and
        // never reads makes the server hold grows without any send() of the session.
        virtual void socketPongsQueued() = 0;
        // A frame was refused (too big, malformed); the close handshake follows.
        virtual void socketError(const QString &description) = 0;

    protected:
        ~Receiver() = default;
    };
    // None: nothing is told.
    void setReceiver(Receiver *receiver) { m_receiver = receiver; }

    void sendText(const QByteArray &utf8);
    void sendBinary(const QByteArray &data);
    // Writes an already encoded frame (shared by every recipient of a broadcast).
    void sendFrame(const QByteArray &frame);
    // Sends a close frame; the connection ends once the peer answers (or after a second).
    void close(quint16 code = NormalClosure, const QByteArray &reason = {});
    void abort();

    bool isOpen() const { return m_state == State::Open; }
    // Bytes queued and not yet sent.
    qint64 bufferedBytes() const;
    quint16 closeCode() const { return m_closeCode; }

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    enum class State { Connecting, Open, Closing, Closed };
    void write(const QByteArray &chunk);
    // Sends a frame whose payload stays in its own buffer.
    void writeFrame(Opcode opcode, const QByteArray &payload);
    void onReadable();
    void onWritable();
    void readable() override { onReadable(); }
    void writable() override { onWritable(); }
    void flush() override;
    void setWantWrite(bool want);
    // Takes bytes read: parsed where they are, or after the partial frame they continue.
    void received(char *data, qsizetype size);
    // Parses frames from `data` (a partial frame at the end is kept for later).
    void consume(char *data, qsizetype size);
    // Parses frames from m_partial in place, and keeps only what is left.
    void consumePartial();
    void handOn(QList<FrameReader::Message> &messages, bool ok);
    QList<FrameReader::Message> &spareMessages();
    // Hands the messages on (their payloads are moved out); false when this socket was
    // deleted meanwhile.
    bool deliver(QList<FrameReader::Message> &messages, bool ok);
    void onCloseFrame(const QByteArray &payload);
    void finishWrites();
    void closeConnection();

    // Descriptor backend (plain TCP): watched by the thread's Poller, or by notifiers when
    // epoll is missing.
    int m_fd = -1;
    Poller *m_poller = nullptr;
    std::unique_ptr<QSocketNotifier> m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier;
    // Chunks not sent yet, in order: the first in the object itself (usually the only one;
    // a list's separate block is a cache miss per recipient of a broadcast), then the rest.
    QByteArray m_unsentFirst;
    qsizetype m_sentOfFirst = 0; // bytes of m_unsentFirst already sent
    qint64 m_unsentBytes = 0;    // in all chunks, less m_sentOfFirst
    QList<QByteArray> m_unsentMore;
    bool hasUnsent() const { return !m_unsentFirst.isEmpty(); }
    bool m_flushScheduled = false;
    bool m_waitingWritable = false;
    // QTcpSocket backend (TLS).
    QPointer<QTcpSocket> m_socket;

    Receiver *m_receiver = nullptr;
    void notifyDisconnected()
    {
        if (m_receiver)
            m_receiver->socketDisconnected();
    }
    std::unique_ptr<Deflater> m_deflater; // with permessage-deflate only
    qsizetype m_deflateThreshold = 0;
    FrameReader m_reader;
    QByteArray m_partial;                   // the start of a frame not complete yet
    State m_state = State::Connecting;
    bool m_shutdownAfterWrites = false;
    bool m_peerClosed = false; // the peer's close frame was read
    quint16 m_closeCode = 0;
    QBasicTimer m_lingerTimer;
    // After the 101, what the session writes may wait a little (see accept()).
    QBasicTimer m_holdTimer;
    bool m_holdWrites = false;
};

} // namespace SocketIO::WebSocket
