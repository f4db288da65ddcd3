#include "http/http2connection_p.h"

#include <QtCore/QLoggingCategory>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>

#include <nghttp2/nghttp2.h>

#include <cstring>
#include <vector>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace SocketIO::Http {

namespace {

// HPACK's accounting of one header field (RFC 9113 section 6.5.2): name, value and 32.
constexpr qsizetype HeaderFieldOverhead = 32;

// Connection-specific fields have no place in HTTP/2 (RFC 9113 section 8.2.2).
bool isConnectionSpecific(QByteArrayView lowerName)
{
    return lowerName == "connection" || lowerName == "keep-alive" ||
           lowerName == "transfer-encoding" || lowerName == "upgrade" ||
           lowerName == "proxy-connection";
}

nghttp2_nv field(const QByteArray &name, const QByteArray &value)
{
    return {reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
            reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())), size_t(name.size()),
            size_t(value.size()), NGHTTP2_NV_FLAG_NONE};
}

} // namespace

// nghttp2's callbacks, with the session as their user data.
struct Http2Callbacks
{
    static Http2Session *self(void *userData) { return static_cast<Http2Session *>(userData); }

    static int onBeginHeaders(nghttp2_session *, const nghttp2_frame *frame, void *userData)
    {
        Http2Session *s = self(userData);
        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
            return 0;
        // nghttp2 refuses streams beyond the advertised limit once the peer acknowledged our
        // SETTINGS; before that, this does.
        if (s->m_streams.size() >= s->m_limits.maxConcurrentStreams()) {
            nghttp2_submit_rst_stream(s->m_session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                      NGHTTP2_REFUSED_STREAM);
            return 0;
        }
        auto *stream = new Http2Stream(s, frame->hd.stream_id);
        s->m_streams.insert(frame->hd.stream_id, stream);
        s->m_idle.stop();
        return 0;
    }

    static int onHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name,
                        size_t nameLength, const uint8_t *value, size_t valueLength, uint8_t,
                        void *userData)
    {
        Http2Session *s = self(userData);
        Http2Stream *stream = s->m_streams.value(frame->hd.stream_id);
        if (!stream || stream->m_headTooLarge)
            return 0;
        // Trailers count too, as in HTTP/1.1.
        stream->m_headBytes += qsizetype(nameLength + valueLength) + HeaderFieldOverhead;
        if (stream->m_headBytes > s->m_limits.maxHeaderSize ||
            ++stream->m_headerCount > s->m_limits.maxHeadersCount) {
            stream->m_headTooLarge = true;
            return 0;
        }
        if (stream->m_state != Http2Stream::State::ReadingHead)
            return 0; // a trailer: checked, not kept
        const QByteArrayView n(reinterpret_cast<const char *>(name), qsizetype(nameLength));
        const QByteArray v(reinterpret_cast<const char *>(value), qsizetype(valueLength));
        HttpRequest &request = stream->m_request;
        if (n == ":method")
            request.setMethod(v);
        else if (n == ":path")
            request.setTarget(v);
        else if (n == ":authority")
            request.addHeader(QByteArrayLiteral("host"), v);
        else if (n == "cookie")
            stream->m_cookie += (stream->m_cookie.isEmpty() ? "" : "; ") + v;
        else if (!n.startsWith(':'))
            request.addHeader(n.toByteArray(), v); // nghttp2 checked: lower case, no CR/LF
        return 0;
    }

    static int onFrameReceived(nghttp2_session *, const nghttp2_frame *frame, void *userData)
    {
        Http2Session *s = self(userData);
        Http2Stream *stream = s->m_streams.value(frame->hd.stream_id);
        if (!stream)
            return 0;
        const bool endStream = frame->hd.flags & NGHTTP2_FLAG_END_STREAM;
        if (frame->hd.type == NGHTTP2_HEADERS) {
            if (stream->m_state == Http2Stream::State::ReadingHead)
                s->headComplete(stream, endStream);
            else if (endStream && stream->m_state == Http2Stream::State::ReadingBody)
                s->dispatch(stream); // after trailers
        } else if (frame->hd.type == NGHTTP2_DATA && endStream &&
                   stream->m_state == Http2Stream::State::ReadingBody) {
            s->dispatch(stream);
        }
        return 0;
    }

    static int onDataChunk(nghttp2_session *, uint8_t, int32_t streamId, const uint8_t *data,
                           size_t length, void *userData)
    {
        Http2Session *s = self(userData);
        Http2Stream *stream = s->m_streams.value(streamId);
        if (!stream || stream->m_state != Http2Stream::State::ReadingBody)
            return 0; // answered already (413): the rest is dropped
        if (stream->m_body.size() + qint64(length) > stream->m_maxBody) {
            stream->m_state = Http2Stream::State::Dispatched;
            s->m_handler->handleBodyTooLarge(stream, stream->m_request);
            return 0;
        }
        stream->m_body.append(reinterpret_cast<const char *>(data), qsizetype(length));
        return 0;
    }

    static int onStreamClose(nghttp2_session *, int32_t streamId, uint32_t, void *userData)
    {
        Http2Session *s = self(userData);
        Http2Stream *stream = s->m_streams.take(streamId);
        if (!stream)
            return 0;
        const bool waiting = stream->m_state == Http2Stream::State::Dispatched;
        stream->m_state = Http2Stream::State::Closed;
        if (waiting)
            Q_EMIT stream->aborted();
        stream->deleteLater();
        s->updateIdleTimer();
        return 0;
    }

    static ssize_t readBody(nghttp2_session *, int32_t, uint8_t *buf, size_t length,
                            uint32_t *flags, nghttp2_data_source *source, void *)
    {
        auto *stream = static_cast<Http2Stream *>(source->ptr);
        const qsizetype n = qMin(qsizetype(length), stream->m_out.size() - stream->m_outOffset);
        std::memcpy(buf, stream->m_out.constData() + stream->m_outOffset, size_t(n));
        stream->m_outOffset += n;
        if (stream->m_outOffset == stream->m_out.size()) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            stream->m_out.clear();
            stream->m_outOffset = 0;
        }
        return n;
    }
};

Http2Stream::Http2Stream(Http2Session *session, std::int32_t id)
    : Connection(session)
    , m_session(session)
    , m_id(id)
{
    // As on HTTP/1.1: a request that does not come whole in time gets 408, so that a client
    // cannot hold its streams (and their bodies) open without end.
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (m_state != State::ReadingHead && m_state != State::ReadingBody)
            return;
        m_state = State::Dispatched;
        HttpResponse response;
        response.setStatusCode(408);
        respond(response);
    });
    if (session->m_limits.headersTimeout > 0)
        m_timer.start(session->m_limits.headersTimeout);
}

void Http2Stream::respond(const HttpResponse &response, bool close)
{
    Q_UNUSED(close); // the stream ends with its response; the connection carries on
    if (m_state != State::Dispatched)
        return;
    m_state = State::Answered;
    m_session->submitResponse(this, takeDecorated(response));
}

void Http2Stream::respondRawAndClose(const QByteArray &bytes)
{
    Q_UNUSED(bytes); // an HTTP/1.1 answer to an upgrade, which HTTP/2 does not have
    abort();
}

void Http2Stream::abort()
{
    if (m_state == State::Closed || m_state == State::Answered)
        return;
    m_state = State::Answered;
    m_session->resetStream(this, NGHTTP2_CANCEL);
}

Http2Session::Http2Session(QTcpSocket *socket, Handler *handler, const HttpLimits &limits,
                           QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_handler(handler)
    , m_limits(limits)
{
    nghttp2_session_callbacks *callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks,
                                                            &Http2Callbacks::onBeginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &Http2Callbacks::onHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks,
                                                         &Http2Callbacks::onFrameReceived);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks,
                                                              &Http2Callbacks::onDataChunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks,
                                                           &Http2Callbacks::onStreamClose);
    nghttp2_option *option = nullptr;
    nghttp2_option_new(&option);
    // HPACK's dynamic table, and the header blocks nghttp2 accepts before our own count.
    nghttp2_option_set_max_deflate_dynamic_table_size(option, 4096);
    nghttp2_session_server_new2(&m_session, callbacks, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);

    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, uint32_t(m_limits.maxConcurrentStreams())},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, uint32_t(m_limits.maxHeaderSize)},
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
    };
    nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, settings, std::size(settings));

    m_idle.setSingleShot(true);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        qCDebug(lcHttp) << "HTTP/2 connection idle: GOAWAY";
        closeGracefully();
    });
    if (m_socket) {
        m_socket->setParent(this);
        connect(m_socket, &QTcpSocket::readyRead, this, &Http2Session::onReadyRead);
        connect(m_socket, &QTcpSocket::bytesWritten, this, &Http2Session::flush);
        if (auto *ssl = qobject_cast<QSslSocket *>(m_socket))
            connect(ssl, &QSslSocket::encryptedBytesWritten, this, &Http2Session::flush);
        connect(m_socket, &QTcpSocket::disconnected, this, &Http2Session::onDisconnected);
        // The client's preface and first request must come within headersTimeout.
        if (m_limits.headersTimeout > 0)
            m_idle.start(m_limits.headersTimeout);
        flush();
        if (m_socket->bytesAvailable())
            QMetaObject::invokeMethod(this, &Http2Session::onReadyRead, Qt::QueuedConnection);
    }
}

Http2Session::~Http2Session()
{
    // Streams are children: they go with the session; nobody is told they were aborted
    // (onDisconnected() did that when the peer left).
    nghttp2_session_del(m_session);
}

qint64 Http2Session::unsentBytes() const
{
    if (!m_socket)
        return 0;
    const auto *ssl = qobject_cast<const QSslSocket *>(m_socket);
    return m_socket->bytesToWrite() + (ssl ? ssl->encryptedBytesToWrite() : 0);
}

void Http2Session::onReadyRead()
{
    if (!m_socket || m_broken)
        return;
    const QByteArray data = m_socket->readAll();
    if (!feed(data))
        fail();
}

bool Http2Session::feed(QByteArrayView data)
{
    if (m_broken)
        return false;
    m_inCallback = true;
    const ssize_t used = nghttp2_session_mem_recv(
        m_session, reinterpret_cast<const uint8_t *>(data.data()), size_t(data.size()));
    m_inCallback = false;
    if (used < 0) {
        qCDebug(lcHttp) << "HTTP/2 connection failed:" << nghttp2_strerror(int(used));
        m_broken = true;
        return false;
    }
    flush(); // the answers given meanwhile, the SETTINGS and PING acknowledgements
    return true;
}

void Http2Session::fail()
{
    if (m_dead)
        return;
    // A malformed frame or preface ends this connection only: GOAWAY, then close.
    nghttp2_session_terminate_session(m_session, NGHTTP2_PROTOCOL_ERROR);
    flush();
    m_dead = true;
    if (m_socket)
        m_socket->disconnectFromHost();
}

void Http2Session::flush()
{
    if (m_inCallback || m_dead)
        return;
    // Like the HTTP/1.1 connection, no more than MaxUnsentAnswers wait in the socket: the
    // rest stays with nghttp2 (and the streams) until the client reads.
    while (unsentBytes() < MaxUnsentAnswers) {
        const uint8_t *data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(m_session, &data);
        if (n < 0) {
            qCDebug(lcHttp) << "HTTP/2 send failed:" << nghttp2_strerror(int(n));
            m_broken = m_dead = true;
            if (m_socket)
                m_socket->abort();
            return;
        }
        if (n == 0)
            break;
        if (m_socket)
            m_socket->write(reinterpret_cast<const char *>(data), n);
    }
    if (!nghttp2_session_want_read(m_session) && !nghttp2_session_want_write(m_session) &&
        m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->disconnectFromHost();
}

void Http2Session::updateIdleTimer()
{
    if (m_streams.isEmpty() && m_limits.keepAliveTimeout > 0 && !m_closing)
        m_idle.start(m_limits.keepAliveTimeout);
}

void Http2Session::closeGracefully()
{
    if (m_closing || m_dead)
        return;
    m_closing = true;
    m_idle.stop();
    nghttp2_submit_goaway(m_session, NGHTTP2_FLAG_NONE,
                          nghttp2_session_get_last_proc_stream_id(m_session), NGHTTP2_NO_ERROR,
                          nullptr, 0);
    flush();
}

void Http2Session::headComplete(Http2Stream *stream, bool endStream)
{
    HttpRequest &request = stream->m_request;
    if (!stream->m_cookie.isEmpty())
        request.addHeader(QByteArrayLiteral("cookie"), stream->m_cookie);
    request.setHttpVersion(QByteArrayLiteral("HTTP/2"));
    if (m_socket) {
        request.setPeer(m_socket->peerAddress(), m_socket->peerPort(), true);
        if (const auto *tls = qobject_cast<const QSslSocket *>(m_socket))
            request.setPeerCertificate(tls->peerCertificate());
    }
    if (stream->m_headTooLarge) {
        stream->m_state = Http2Stream::State::Dispatched;
        HttpResponse response;
        response.setStatusCode(431);
        stream->respond(response);
        return;
    }
    stream->m_maxBody = m_handler->maxBodySize(request);
    const QByteArray length = request.header("content-length");
    bool ok = false;
    if (!length.isNull() && length.toLongLong(&ok) > stream->m_maxBody && ok) {
        stream->m_state = Http2Stream::State::Dispatched;
        m_handler->handleBodyTooLarge(stream, request);
        return;
    }
    stream->m_state = Http2Stream::State::ReadingBody;
    if (m_limits.requestTimeout > 0)
        stream->m_timer.start(m_limits.requestTimeout);
    else
        stream->m_timer.stop();
    if (endStream)
        dispatch(stream);
}

void Http2Session::dispatch(Http2Stream *stream)
{
    stream->m_timer.stop();
    if (stream->m_headTooLarge) { // too large trailers
        stream->m_state = Http2Stream::State::Dispatched;
        HttpResponse response;
        response.setStatusCode(431);
        stream->respond(response);
        return;
    }
    stream->m_request.setBody(std::exchange(stream->m_body, QByteArray()));
    stream->m_state = Http2Stream::State::Dispatched;
    m_handler->handleRequest(stream, stream->m_request);
}

void Http2Session::submitResponse(Http2Stream *stream, const HttpResponse &response)
{
    const QList<HttpResponse::Header> headers = response.headers();
    std::vector<QByteArray> names;
    names.reserve(size_t(headers.size()) + 2);
    std::vector<nghttp2_nv> fields;
    fields.reserve(size_t(headers.size()) + 2);
    const QByteArray status = QByteArray::number(response.statusCode());
    static const QByteArray statusName = QByteArrayLiteral(":status");
    static const QByteArray lengthName = QByteArrayLiteral("content-length");
    fields.push_back(field(statusName, status));
    bool hasLength = false;
    for (const auto &header : headers) {
        names.push_back(header.first.toLower());
        if (isConnectionSpecific(names.back()))
            continue;
        hasLength = hasLength || names.back() == lengthName;
        fields.push_back(field(names.back(), header.second));
    }
    const bool head = stream->m_request.method() == "HEAD";
    const QByteArray length = QByteArray::number(response.body().size());
    if (!hasLength && !(head && response.body().isEmpty()))
        fields.push_back(field(lengthName, length));
    stream->m_out = head ? QByteArray() : response.body();
    stream->m_outOffset = 0;
    nghttp2_data_provider provider;
    provider.source.ptr = stream;
    provider.read_callback = &Http2Callbacks::readBody;
    const int rv = nghttp2_submit_response(m_session, stream->m_id, fields.data(), fields.size(),
                                           stream->m_out.isEmpty() ? nullptr : &provider);
    if (rv != 0)
        qCDebug(lcHttp) << "HTTP/2 response not sent:" << nghttp2_strerror(rv);
    flush();
}

void Http2Session::resetStream(Http2Stream *stream, std::uint32_t errorCode)
{
    nghttp2_submit_rst_stream(m_session, NGHTTP2_FLAG_NONE, stream->m_id, errorCode);
    flush();
}

void Http2Session::onDisconnected()
{
    m_broken = m_dead = true;
    m_idle.stop();
    const auto streams = m_streams;
    m_streams.clear();
    for (Http2Stream *stream : streams) {
        const bool waiting = stream->m_state == Http2Stream::State::Dispatched;
        stream->m_state = Http2Stream::State::Closed;
        if (waiting)
            Q_EMIT stream->aborted();
    }
    deleteLater();
}

} // namespace SocketIO::Http
