#include "websocket/leansocket_p.h"

#include <QtCore/QSocketNotifier>
#include <QtCore/QTimerEvent>
#include <QtCore/QtEndian>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace SocketIO::WebSocket {

namespace {
constexpr qsizetype ScratchSize = 64 * 1024;
constexpr int LingerMs = 1000; // how long a closing connection waits for the peer
} // namespace

LeanSocket::LeanSocket(QTcpSocket *socket, qint64 maxMessageSize, QObject *parent)
    : QObject(parent)
    , m_reader(maxMessageSize)
{
    if (qobject_cast<QSslSocket *>(socket)) {
        m_socket = socket;
        socket->setParent(this);
        // Bounded reads per wake-up here too: the socket stops taking bytes from the kernel
        // while this much waits, and reads on once onReadable() has taken it.
        socket->setReadBufferSize(ReadBudget);
        connect(socket, &QTcpSocket::readyRead, this, &LeanSocket::onReadable);
        connect(socket, &QTcpSocket::disconnected, this, &LeanSocket::closeConnection);
        return;
    }
    // Take the descriptor over; what the socket buffered already is the start of the
    // stream of frames.
    m_partial = socket->readAll();
    m_fd = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    // We may be inside the socket's readyRead(): let it unwind before it goes.
    socket->disconnect();
    socket->abort();
    socket->deleteLater();
    if (m_fd < 0) {
        m_state = State::Closed;
        return;
    }
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    m_poller = Poller::forCurrentThread();
    if (m_poller && m_poller->add(m_fd, this))
        return;
    m_poller = nullptr;
    m_readNotifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
    connect(m_readNotifier.get(), &QSocketNotifier::activated, this, &LeanSocket::onReadable);
}

LeanSocket::~LeanSocket()
{
    // What was written in this pass still leaves (best effort: no waiting).
    m_holdWrites = false;
    if (m_fd >= 0 && hasUnsent())
        flush();
    if (m_poller && m_fd >= 0)
        m_poller->remove(m_fd);
    m_readNotifier.reset();
    m_writeNotifier.reset();
    if (m_fd >= 0)
        ::close(m_fd);
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void LeanSocket::accept(const HttpRequest &request, const QList<HttpResponse::Header> &extraHeaders,
                        int holdMs)
{
    QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                          acceptKey(request.header("sec-websocket-key")) + "\r\n";
    for (const auto &header : extraHeaders)
        response += header.first + ": " + header.second + "\r\n";
    response += "\r\n";
    if (m_state == State::Closed) {
        QMetaObject::invokeMethod(this, &LeanSocket::notifyDisconnected, Qt::QueuedConnection);
        return;
    }
    m_state = State::Open;
    write(response);
    // Out now, before anything the session sends in this pass.
    if (m_socket)
        m_socket->flush();
    else
        flush();
    if (m_fd >= 0 && holdMs > 0) {
        m_holdWrites = true;
        m_holdTimer.start(holdMs, Qt::PreciseTimer, this);
    }
    if (!m_partial.isEmpty() || (m_socket && m_socket->bytesAvailable()))
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (m_socket)
                    onReadable();
                else
                    consumePartial();
            },
            Qt::QueuedConnection);
}

void LeanSocket::enableDeflate(const DeflateConfig &config, const DeflateParams &params)
{
    m_deflater = std::make_unique<Deflater>(config, params);
    m_deflateThreshold =
        qsizetype(qMin<qint64>(config.threshold, std::numeric_limits<qsizetype>::max()));
    m_reader.enableInflate(params.clientNoContextTakeover);
}

void LeanSocket::sendCompressed(Opcode opcode, QByteArrayView head, QByteArrayView body)
{
    if (m_state != State::Open)
        return;
    const QByteArray frame = m_deflater->compressFrame(quint8(opcode), head, body);
    if (frame.isEmpty()) {
        close(InternalError);
        return;
    }
    write(frame);
}

void LeanSocket::write(const QByteArray &chunk)
{
    if (m_socket) {
        m_socket->write(chunk);
        return;
    }
    if (m_fd < 0 || chunk.isEmpty())
        return;
    if (hasUnsent())
        m_unsentMore.append(chunk);
    else
        m_unsentFirst = chunk;
    m_unsentBytes += chunk.size();
    if (m_holdWrites)
        return; // sent when the hold ends
    if (!m_poller) {
        flush();
        return;
    }
    // While EPOLLOUT is awaited, onWritable() sends the rest.
    if (m_flushScheduled || m_waitingWritable)
        return;
    m_flushScheduled = true;
    m_poller->scheduleFlush(m_fd);
}

void LeanSocket::writeFrame(Opcode opcode, const QByteArray &payload)
{
    // Below this, one copy costs less than a second chunk.
    constexpr qsizetype SeparatePayload = 4096;
    if (payload.size() < SeparatePayload || m_socket) {
        write(encodeFrame(opcode, payload));
        return;
    }
    write(encodeFrameHeader(opcode, payload.size()));
    write(payload);
}

void LeanSocket::flush()
{
    m_flushScheduled = false;
    if (m_holdWrites)
        return; // sent when the hold ends
    constexpr int MaxChunks = 64;
    while (hasUnsent() && m_fd >= 0) {
        iovec chunks[MaxChunks];
        chunks[0].iov_base = const_cast<char *>(m_unsentFirst.constData() + m_sentOfFirst);
        chunks[0].iov_len = size_t(m_unsentFirst.size() - m_sentOfFirst);
        int count = 1;
        for (; count < MaxChunks && count <= m_unsentMore.size(); ++count) {
            const QByteArray &chunk = m_unsentMore.at(count - 1);
            chunks[count].iov_base = const_cast<char *>(chunk.constData());
            chunks[count].iov_len = size_t(chunk.size());
        }
        msghdr message{};
        message.msg_iov = chunks;
        message.msg_iovlen = size_t(count);
        ssize_t n = ::sendmsg(m_fd, &message, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!m_waitingWritable) {
                m_waitingWritable = true;
                setWantWrite(true);
            }
            return;
        }
        if (n < 0) {
            // The peer is gone; reading will see it.
            m_unsentFirst.clear();
            m_unsentMore.clear();
            m_sentOfFirst = 0;
            m_unsentBytes = 0;
            QMetaObject::invokeMethod(this, &LeanSocket::closeConnection, Qt::QueuedConnection);
            return;
        }
        // Drop what went out.
        m_unsentBytes -= n;
        while (n > 0) {
            const qsizetype left = m_unsentFirst.size() - m_sentOfFirst;
            if (n < left) {
                m_sentOfFirst += n;
                break;
            }
            n -= left;
            m_sentOfFirst = 0;
            m_unsentFirst = m_unsentMore.isEmpty() ? QByteArray() : m_unsentMore.takeFirst();
        }
    }
    // A connection keeps a few slots for its next replies, no more: allocating them on
    // every message costs more than they weigh.
    constexpr qsizetype KeptSlots = 4;
    if (m_unsentMore.isEmpty() && m_unsentMore.capacity() > KeptSlots)
        m_unsentMore = QList<QByteArray>();
    if (m_waitingWritable && !hasUnsent()) {
        m_waitingWritable = false;
        setWantWrite(false);
    }
    if (!hasUnsent())
        finishWrites();
}

qint64 LeanSocket::bufferedBytes() const
{
    if (m_socket)
        return m_socket->bytesToWrite();
    // Each queued chunk also costs its list slot, its buffer's header and the allocator's
    // share: a flood of small frames weighs more than its bytes.
    constexpr qint64 ChunkOverhead = 64;
    const qint64 chunks = hasUnsent() ? 1 + m_unsentMore.size() : 0;
    return m_unsentBytes + chunks * ChunkOverhead;
}

void LeanSocket::setWantWrite(bool want)
{
    if (m_poller) {
        m_poller->setWantWrite(m_fd, want);
        return;
    }
    if (!m_writeNotifier) {
        if (!want)
            return;
        m_writeNotifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Write);
        connect(m_writeNotifier.get(), &QSocketNotifier::activated, this, &LeanSocket::onWritable);
    }
    m_writeNotifier->setEnabled(want);
}

void LeanSocket::onWritable()
{
    flush();
}

void LeanSocket::finishWrites()
{
    if (!m_shutdownAfterWrites || hasUnsent())
        return;
    m_shutdownAfterWrites = false;
    if (m_socket) {
        m_socket->disconnectFromHost();
        return;
    }
    // Our close frame is out: half-close and wait for the peer's, unless it came already:
    // then the handshake is complete, and the server closes the connection at once (RFC
    // 6455 7.1.1; from a timer, as this may run inside the read path).
    ::shutdown(m_fd, SHUT_WR);
    m_lingerTimer.start(m_peerClosed ? 0 : LingerMs, this);
}

void LeanSocket::onReadable()
{
    if (m_state == State::Closed)
        return;
    if (m_socket) {
        QByteArray data = m_socket->readAll();
        received(data.data(), data.size());
        return;
    }
    static thread_local char scratch[ScratchSize];
    QPointer<LeanSocket> self(this);
    // A bounded amount per wake-up: the poller is level-triggered, so what a fast sender
    // has left is read on its next pass, after the other ready connections and the timers.
    qsizetype budget = ReadBudget;
    while (self && m_fd >= 0 && m_state != State::Closed) {
        const qsizetype want = qMin(budget, ScratchSize);
        const ssize_t n = ::recv(m_fd, scratch, size_t(want), 0);
        if (n > 0) {
            received(scratch, n);
            budget -= n;
            if (n < want || budget == 0)
                return;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        closeConnection(); // end of stream or error
        return;
    }
}

// The message list of the thread's last read, kept for its capacity: one for the thread, not
// one per socket (an idle socket would keep its own, some 60 bytes). The poller's, reached
// without a thread-local look-up on the plain path; the thread's own on the others.
QList<FrameReader::Message> &LeanSocket::spareMessages()
{
    if (m_poller)
        return m_poller->spareMessages;
    static thread_local QList<FrameReader::Message> spare;
    return spare;
}

void LeanSocket::received(char *data, qsizetype size)
{
    if (m_partial.isEmpty()) {
        consume(data, size);
        return;
    }
    // After the start of a frame: parsed where it grows, never copied again as a whole.
    m_partial.append(data, size);
    consumePartial();
}

void LeanSocket::consume(char *data, qsizetype size)
{
    // The list of the thread's last read is reused (taken, in case a handler reads again).
    QList<FrameReader::Message> messages = std::exchange(spareMessages(), {});
    const qsizetype used = m_reader.read(data, size, &messages);
    if (used >= 0 && used < size)
        m_partial.append(data + used, size - used);
    handOn(messages, used >= 0);
}

void LeanSocket::consumePartial()
{
    QList<FrameReader::Message> messages = std::exchange(spareMessages(), {});
    const qsizetype size = m_partial.size();
    const qsizetype used = m_reader.read(m_partial.data(), size, &messages);
    if (used < 0 || used == size) {
        m_partial = QByteArray();
    } else if (used > 0) {
        const qsizetype left = size - used;
        if (m_partial.capacity() > 2 * ScratchSize) {
            // The buffer of a large frame is not kept for the start of the next one.
            m_partial = QByteArray(m_partial.constData() + used, left);
        } else {
            std::memmove(m_partial.data(), m_partial.constData() + used, size_t(left));
            m_partial.truncate(left);
        }
    }
    handOn(messages, used >= 0);
}

void LeanSocket::handOn(QList<FrameReader::Message> &messages, bool ok)
{
    if (deliver(messages, ok)) {
        messages.clear();
        spareMessages() = std::move(messages);
    }
}

bool LeanSocket::deliver(QList<FrameReader::Message> &messages, bool ok)
{
    QPointer<LeanSocket> self(this);
    bool ponged = false;
    for (FrameReader::Message &message : messages) {
        if (!self)
            return false;
        if (message.opcode == Opcode::Close) {
            onCloseFrame(message.payload);
            return true; // always the last one
        }
        if (m_state != State::Open)
            continue;
        switch (message.opcode) {
        case Opcode::Text:
        case Opcode::Binary:
            if (m_receiver)
                m_receiver->socketMessage(std::move(message.payload),
                                          message.opcode == Opcode::Binary);
            break;
        case Opcode::Ping:
            sendFrame(encodeFrame(Opcode::Pong, message.payload));
            ponged = true;
            break;
        case Opcode::Pong:
        case Opcode::Continuation:
        case Opcode::Close:
            break;
        }
    }
    if (ponged && self && m_receiver)
        m_receiver->socketPongsQueued();
    if (!ok && self && m_state == State::Open) {
        const QString why = QString::fromLatin1(m_reader.errorReason());
        close(m_reader.closeCode(), m_reader.errorReason());
        if (m_receiver)
            m_receiver->socketError(why);
    }
    return !self.isNull();
}

void LeanSocket::onCloseFrame(const QByteArray &payload)
{
    m_peerClosed = true;
    if (m_state == State::Open) {
        // Echo the peer's code (the reader checked it) and close.
        m_closeCode = payload.size() >= 2 ? qFromBigEndian<quint16>(payload.constData())
                                          : quint16(NormalClosure);
        close(m_closeCode);
        return;
    }
    // The answer to our close frame: once that is out, the handshake is complete.
    if (m_state == State::Closing && !m_shutdownAfterWrites)
        m_lingerTimer.start(0, this);
}

void LeanSocket::sendText(const QByteArray &utf8)
{
    if (m_state == State::Open)
        writeFrame(Opcode::Text, utf8);
}

void LeanSocket::sendBinary(const QByteArray &data)
{
    if (m_state == State::Open)
        writeFrame(Opcode::Binary, data);
}

void LeanSocket::sendFrame(const QByteArray &frame)
{
    if (m_state == State::Open)
        write(frame);
}

void LeanSocket::close(quint16 code, const QByteArray &reason)
{
    if (m_state != State::Open)
        return;
    m_state = State::Closing;
    if (!m_closeCode)
        m_closeCode = code;
    QByteArray payload(2, Qt::Uninitialized);
    qToBigEndian<quint16>(code, payload.data());
    payload += reason.left(123);
    write(encodeFrame(Opcode::Close, payload));
    m_shutdownAfterWrites = true;
    finishWrites();
}

void LeanSocket::abort()
{
    closeConnection();
}

void LeanSocket::timerEvent(QTimerEvent *event)
{
    if (event->timerId() == m_holdTimer.timerId()) {
        m_holdTimer.stop();
        m_holdWrites = false;
        if (hasUnsent())
            flush();
    } else if (event->timerId() == m_lingerTimer.timerId())
        closeConnection(); // the peer did not close in time
    else
        QObject::timerEvent(event);
}

void LeanSocket::closeConnection()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    m_lingerTimer.stop();
    if (m_poller && m_fd >= 0)
        m_poller->remove(m_fd);
    m_readNotifier.reset();
    m_writeNotifier.reset();
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    m_unsentFirst = QByteArray();
    m_unsentMore = QList<QByteArray>();
    m_sentOfFirst = 0;
    m_unsentBytes = 0;
    m_partial = QByteArray();
    if (m_socket)
        m_socket->abort();
    notifyDisconnected();
}

} // namespace SocketIO::WebSocket
