#include "http/httpconnection_p.h"

#include <QtCore/QLoggingCategory>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>

Q_LOGGING_CATEGORY(lcHttp, "socketio.http", QtWarningMsg)

namespace SocketIO::Http {

namespace {
// A request to start from: a new HttpRequest allocates an empty certificate and address
// (some 250 bytes), which a session would keep with its handshake request.
const HttpRequest &emptyRequest()
{
    static const HttpRequest empty;
    return empty;
}
} // namespace

void Handler::handleBodyTooLarge(Connection *connection, const HttpRequest &)
{
    HttpResponse response;
    response.setStatusCode(413);
    connection->respond(response, true);
}

HttpResponse Connection::takeDecorated(const HttpResponse &response)
{
    HttpResponse decorated = response;
    for (const auto &header : std::as_const(m_extraHeaders)) {
        if (decorated.header(header.first).isNull())
            decorated.addHeader(header.first, header.second);
    }
    m_extraHeaders.clear();
    return decorated;
}

Http1Connection::Http1Connection(QTcpSocket *socket, Handler *handler, const HttpLimits &limits,
                                 QObject *parent)
    : Connection(parent)
    , m_socket(socket)
    , m_handler(handler)
    , m_limits(limits)
    , m_secure(qobject_cast<QSslSocket *>(socket) != nullptr)
    , m_request(emptyRequest())
{
    socket->setParent(this);
    socket->setReadBufferSize(readAheadLimit());
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Http1Connection::onTimeout);
    connect(socket, &QTcpSocket::readyRead, this, &Http1Connection::onReadyRead);
    connect(socket, &QTcpSocket::bytesWritten, this, &Http1Connection::onBytesWritten);
    if (auto *ssl = qobject_cast<QSslSocket *>(socket))
        connect(ssl, &QSslSocket::encryptedBytesWritten, this, &Http1Connection::onBytesWritten);
    connect(socket, &QTcpSocket::disconnected, this, &Http1Connection::onDisconnected);
    startTimer(m_limits.keepAliveTimeout);
    if (socket->bytesAvailable())
        QMetaObject::invokeMethod(this, &Http1Connection::onReadyRead, Qt::QueuedConnection);
}

Http1Connection::~Http1Connection() = default;

void Http1Connection::startTimer(int ms)
{
    if (ms > 0)
        m_timer.start(ms);
    else
        m_timer.stop();
}

qint64 Http1Connection::readAheadLimit() const
{
    return qMax<qint64>(m_limits.maxHeaderSize + 4, MaxReadAhead);
}

void Http1Connection::resumeReading()
{
    // QAbstractSocket stops reading from the kernel once its buffer is full, and arms its
    // notifier again only when a read asks for more than is buffered (peek() and skip() of
    // buffered bytes do not): setting the size again re-arms it. A QSslSocket also needs that
    // read to decrypt what its plain socket already holds.
    m_socket->setReadBufferSize(0);
    m_socket->setReadBufferSize(readAheadLimit());
    if (m_secure)
        m_socket->peek(m_socket->bytesAvailable() + 1);
}

qint64 Http1Connection::unsentBytes() const
{
    // A QSslSocket holds what it has encrypted but not sent apart.
    const auto *ssl = m_secure ? static_cast<const QSslSocket *>(m_socket) : nullptr;
    return m_socket->bytesToWrite() + (ssl ? ssl->encryptedBytesToWrite() : 0);
}

void Http1Connection::onReadyRead()
{
    if (!m_socket)
        return;
    const bool wasFull = m_socket->bytesAvailable() >= readAheadLimit();
    if (m_state == State::Idle) {
        if (unsentBytes() > MaxUnsentAnswers) {
            m_waitingForDrain = true; // onBytesWritten() comes back here
            return;
        }
        readHead();
    }
    if (m_state == State::ReadingBody)
        readBody();
    if (wasFull && (m_state == State::Idle || m_state == State::ReadingBody))
        resumeReading();
}

void Http1Connection::onBytesWritten()
{
    if (!m_waitingForDrain || unsentBytes() > MaxUnsentAnswers)
        return;
    m_waitingForDrain = false;
    onReadyRead();
}

void Http1Connection::readHead()
{
    // The head is only peeked: a WebSocket upgrade must stay unread for QWebSocketServer.
    const qsizetype limit = m_limits.maxHeaderSize + 4;
    QByteArray buffered;
    for (;;) {
        buffered = m_socket->peek(qMin<qint64>(m_socket->bytesAvailable(), limit));
        if (buffered.isEmpty())
            return;
        // Empty lines before the request line are skipped as they come; they do not count
        // in maxHeaderSize (as in Node) nor start headersTimeout (a stray CRLF after a body
        // must not earn an unasked-for 408).
        const qsizetype blank = m_scanned ? 0 : leadingLineBreaks(buffered);
        if (!blank)
            break;
        m_socket->skip(blank);
    }
    if (!m_headStarted) {
        m_headStarted = true;
        startTimer(m_limits.headersTimeout);
    }
    ParseError error;
    const qsizetype end = findHeadEnd(buffered, m_scanned);
    if (end == HeadMalformed) {
        qCDebug(lcHttp) << "bad request: bare CR or LF";
        failRequest(400);
        return;
    }
    if (end == HeadIncomplete) {
        m_scanned = buffered.size();
        if (buffered.size() > m_limits.maxHeaderSize) {
            failRequest(431);
            return;
        }
        // A request line that cannot become valid is refused now, not after headersTimeout.
        if (!m_requestLineOk) {
            const qsizetype lineEnd = buffered.indexOf('\r');
            const bool ok = lineEnd < 0 ? isRequestLinePrefix(buffered, &error)
                                        : parseRequestLine(QByteArrayView(buffered).first(lineEnd),
                                                           &m_request, &error);
            m_requestLineOk = ok && lineEnd >= 0;
            if (!ok) {
                qCDebug(lcHttp) << "bad request:" << error.reason;
                failRequest(error.status);
            }
        }
        return;
    }
    m_scanned = 0;
    m_requestLineOk = false;
    m_request = emptyRequest();
    m_extraHeaders.clear();
    if (!parseHead(QByteArrayView(buffered).first(end), &m_request, &error,
                   m_limits.maxHeadersCount)) {
        qCDebug(lcHttp) << "bad request:" << error.reason;
        failRequest(error.status);
        return;
    }
    m_request.setPeer(m_socket->peerAddress(), m_socket->peerPort(), m_secure);
    if (m_secure) {
        if (const auto *tls = qobject_cast<const QSslSocket *>(m_socket))
            m_request.setPeerCertificate(tls->peerCertificate());
    }
    m_headLength = end;
    if (m_request.isWebSocketUpgrade()) {
        m_state = State::Dispatched;
        m_timer.stop();
        m_handler->handleUpgrade(this, m_request);
        return;
    }
    m_socket->skip(end);
    BodyFraming framing;
    if (!bodyFraming(m_request, &framing, &error)) {
        qCDebug(lcHttp) << "bad request:" << error.reason;
        failRequest(error.status);
        return;
    }
    // RFC 9112 section 6.1: Transfer-Encoding in HTTP/1.0 is faulty framing; answer, then close.
    if (framing.kind == BodyFraming::Chunked && m_request.httpVersion() == "HTTP/1.0")
        m_closeAfterResponse = true;
    m_body = BodyReader(framing, m_handler->maxBodySize(m_request), m_limits.maxHeaderSize);
    if (m_body.error().status == 413) {
        m_state = State::Dispatched;
        m_timer.stop();
        m_handler->handleBodyTooLarge(this, m_request);
        return;
    }
    m_state = State::ReadingBody;
    startTimer(m_limits.requestTimeout);
}

void Http1Connection::readBody()
{
    if (!m_body.isComplete()) {
        // At most readAheadLimit() bytes: the socket buffers no more.
        const QByteArray data = m_socket->peek(m_socket->bytesAvailable());
        const qsizetype used = m_body.feed(data);
        if (used < 0) {
            if (m_body.error().status == 413) {
                m_state = State::Dispatched;
                m_timer.stop();
                m_handler->handleBodyTooLarge(this, m_request);
            } else {
                qCDebug(lcHttp) << "bad request body:" << m_body.error().reason;
                failRequest(m_body.error().status);
            }
            return;
        }
        m_socket->skip(used);
    }
    if (!m_body.isComplete())
        return;
    m_request.setBody(m_body.takeBody());
    m_state = State::Dispatched;
    m_timer.stop();
    m_handler->handleRequest(this, m_request);
}

void Http1Connection::respond(const HttpResponse &response, bool close)
{
    if (m_state != State::Dispatched)
        return;
    const bool keepAlive = !close && !m_closeAfterResponse && m_request.keepAlive();
    if (m_extraHeaders.isEmpty()) {
        m_socket->write(response.serialize(keepAlive, m_limits.keepAliveTimeout / 1000));
    } else {
        m_socket->write(
            takeDecorated(response).serialize(keepAlive, m_limits.keepAliveTimeout / 1000));
    }
    if (!keepAlive) {
        m_state = State::Closing;
        m_socket->disconnectFromHost();
        return;
    }
    m_state = State::Idle;
    m_request = emptyRequest();
    m_headStarted = false;
    startTimer(m_limits.keepAliveTimeout);
    if (m_socket->bytesAvailable())
        QMetaObject::invokeMethod(this, &Http1Connection::onReadyRead, Qt::QueuedConnection);
}

void Http1Connection::respondRawAndClose(const QByteArray &bytes)
{
    if (m_state == State::Detached || m_state == State::Closing)
        return;
    m_state = State::Closing;
    m_timer.stop();
    m_socket->write(bytes);
    m_socket->disconnectFromHost();
}

void Http1Connection::failRequest(int status)
{
    const QByteArray line = "HTTP/1.1 " + QByteArray::number(status) + ' ' +
                            HttpResponse::reasonPhrase(status) + "\r\nConnection: close\r\n\r\n";
    respondRawAndClose(line);
}

QTcpSocket *Http1Connection::takeSocket()
{
    QTcpSocket *socket = m_socket;
    m_state = State::Detached;
    m_timer.stop();
    socket->disconnect(this);
    socket->setReadBufferSize(0); // the WebSocket engines read as they please
    socket->setParent(nullptr);
    m_socket = nullptr;
    deleteLater();
    return socket;
}

void Http1Connection::closeGracefully()
{
    if (m_state == State::Dispatched) {
        m_closeAfterResponse = true;
        return;
    }
    if (m_socket && m_state != State::Detached) {
        m_state = State::Closing;
        m_timer.stop();
        m_socket->disconnectFromHost();
    }
}

void Http1Connection::abort()
{
    if (m_socket)
        m_socket->abort();
}

void Http1Connection::onDisconnected()
{
    const bool waiting = m_state == State::Dispatched;
    m_state = State::Closing;
    m_timer.stop();
    if (waiting)
        Q_EMIT aborted();
    deleteLater();
}

void Http1Connection::onTimeout()
{
    switch (m_state) {
    case State::Idle:
        if (m_headStarted || m_socket->bytesAvailable())
            failRequest(408);
        else
            m_socket->disconnectFromHost();
        break;
    case State::ReadingBody:
        failRequest(408);
        break;
    default:
        break;
    }
}

} // namespace SocketIO::Http
