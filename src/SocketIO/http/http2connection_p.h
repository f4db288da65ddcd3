// HTTP/2 (RFC 9113) for the HTTP front, on nghttp2's server session: one Http2Session per
// TLS connection that chose "h2" by ALPN, one Http2Stream per request on it. To a handler a
// stream is a Connection like an HTTP/1.1 one: a request in, one response out, now or later
// (a held long-poll), and many of them at once on one connection.
#pragma once

#include "http/httpconnection_p.h"

#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <cstdint>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

struct nghttp2_session;

namespace SocketIO::Http {

class Http2Session;
struct Http2Callbacks;

class SOCKETIO_TESTABLE Http2Stream : public Connection
{
    Q_OBJECT
public:
    Http2Stream(Http2Session *session, std::int32_t id);

    void respond(const HttpResponse &response, bool close = false) override;
    void respondRawAndClose(const QByteArray &bytes) override;
    QTcpSocket *takeSocket() override { return nullptr; }
    void abort() override;
    void closeGracefully() override {}
    bool isWaitingForResponse() const override { return m_state == State::Dispatched; }

private:
    friend class Http2Session;
    friend struct Http2Callbacks;
    enum class State { ReadingHead, ReadingBody, Dispatched, Answered, Closed };

    Http2Session *const m_session;
    const std::int32_t m_id;
    State m_state = State::ReadingHead;
    HttpRequest m_request;
    QByteArray m_cookie;  // HTTP/2 may split the Cookie header in several fields
    QByteArray m_body;    // the request body as it comes
    qint64 m_maxBody = 0; // the handler's limit, known once the head is complete
    qsizetype m_headBytes = 0;
    int m_headerCount = 0;
    bool m_headTooLarge = false;
    bool m_bodyTooLarge = false;
    QByteArray m_out; // the response body being sent
    qsizetype m_outOffset = 0;
    // headersTimeout, then requestTimeout, until the request is complete: 408 after it.
    QTimer m_timer;
};

// The largest number of streams a client may open at once on one connection
// (SETTINGS_MAX_CONCURRENT_STREAMS), unless HttpLimits says otherwise.
inline constexpr int DefaultMaxConcurrentStreams = 100;

class SOCKETIO_TESTABLE Http2Session : public QObject
{
    Q_OBJECT
public:
    // Serves `socket` (which it takes), whose TLS handshake chose "h2". A null socket makes a
    // session that only parses what feed() gives it (the fuzz target).
    Http2Session(QTcpSocket *socket, Handler *handler, const HttpLimits &limits, QObject *parent);
    ~Http2Session() override;

    // Parses bytes from the client and sends what they caused; false when the connection
    // must close (a malformed frame or preface), and from then on.
    bool feed(QByteArrayView data);
    // Sends GOAWAY: the streams open go on, no new one starts, the connection then closes.
    void closeGracefully();
    int streamCount() const { return int(m_streams.size()); }

private:
    friend class Http2Stream;
    friend struct Http2Callbacks;

    void onReadyRead();
    void onDisconnected();
    void flush();
    void fail();
    void updateIdleTimer();
    void headComplete(Http2Stream *stream, bool endStream);
    void dispatch(Http2Stream *stream);
    void submitResponse(Http2Stream *stream, const HttpResponse &response);
    void resetStream(Http2Stream *stream, std::uint32_t errorCode);
    qint64 unsentBytes() const;

    QTcpSocket *m_socket;
    Handler *const m_handler;
    HttpLimits m_limits;
    nghttp2_session *m_session = nullptr;
    QHash<std::int32_t, Http2Stream *> m_streams;
    QTimer m_idle;
    bool m_inCallback = false; // inside nghttp2_session_mem_recv: sending waits
    bool m_broken = false;     // the input failed or ended: nothing more is read
    bool m_dead = false;       // nothing more is written
    bool m_closing = false;
};

} // namespace SocketIO::Http
