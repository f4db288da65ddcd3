// What a request handler answers through (Connection), and the HTTP/1.1 connection of the
// HTTP front: it reads requests one at a time, hands them to a handler, writes the handler's
// response, keeps the connection alive between requests.
#pragma once

#include "http/httpparser_p.h"
#include "httpoptions.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace SocketIO::Http {

class Connection;

// What the HTTP front calls for each request; implemented by the engine server.
class SOCKETIO_TESTABLE Handler
{
public:
    virtual ~Handler() = default;
    // The largest body accepted for a request with this head.
    virtual qint64 maxBodySize(const HttpRequest &head) const = 0;
    virtual void handleRequest(Connection *connection, const HttpRequest &request) = 0;
    // The body announced or sent is larger than maxBodySize(); the default answers 413.
    virtual void handleBodyTooLarge(Connection *connection, const HttpRequest &head);
    // A WebSocket upgrade request, still unread in the socket: call takeSocket() to accept
    // it, or respond() to refuse it.
    virtual void handleUpgrade(Connection *connection, const HttpRequest &request) = 0;
    // Whether this handler serves the request when several share one front.
    virtual bool claims(const HttpRequest &request) const
    {
        Q_UNUSED(request);
        return false;
    }
};

// While a request is being answered, a connection reads at most this many bytes ahead of it
// (or HttpLimits::maxHeaderSize + 4, when larger: the next head must fit); the rest stays in
// the kernel, whose TCP flow control then stops the sender.
inline constexpr qint64 MaxReadAhead = 64 * 1024;
// It starts no new request while more than this many bytes of answers wait to be sent (a
// client pipelining requests without reading the answers), as Node pauses such a socket.
inline constexpr qint64 MaxUnsentAnswers = 64 * 1024;

// One request's way back to its client, as the engine sees it: an HTTP/1.1 connection
// (Http1Connection) or one stream of an HTTP/2 connection (Http2Stream). A handler answers
// through it now or later (a held long-poll); QPointer guards it, since the peer may go away.
class SOCKETIO_TESTABLE Connection : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // Answers the request being handled. With `close`, the connection closes afterwards
    // (HTTP/2: the stream ends; the connection carries on).
    virtual void respond(const HttpResponse &response, bool close = false) = 0;
    // Writes raw bytes and closes (used for refused upgrades, which are not HTTP responses
    // of ours in the reference either). HTTP/2 has no upgrades: the stream is reset.
    virtual void respondRawAndClose(const QByteArray &bytes) = 0;
    // Detaches the socket (WebSocket upgrade, HTTP/1.1 only: null on HTTP/2); this object
    // deletes itself.
    virtual QTcpSocket *takeSocket() = 0;
    // Drops the request without an answer (HTTP/2: resets the stream).
    virtual void abort() = 0;
    // Closes once the current answer, if any, is written.
    virtual void closeGracefully() = 0;
    // Headers added to the response of the request being handled (CORS, cookies).
    void addResponseHeaders(const QList<HttpResponse::Header> &headers)
    {
        m_extraHeaders += headers;
    }
    // The size of the current request's head (an upgrade request is left unread).
    virtual qsizetype headLength() const { return 0; }
    virtual bool isWaitingForResponse() const = 0;

Q_SIGNALS:
    // The peer went away while a request was waiting for its response.
    void aborted();

protected:
    // `response` with the headers added by addResponseHeaders(), which are then forgotten.
    HttpResponse takeDecorated(const HttpResponse &response);

    QList<HttpResponse::Header> m_extraHeaders;
};

// An HTTP/1.1 connection of the front.
class Http1Connection : public Connection
{
    Q_OBJECT
public:
    Http1Connection(QTcpSocket *socket, Handler *handler, const HttpLimits &limits,
                    QObject *parent);
    ~Http1Connection() override;

    void respond(const HttpResponse &response, bool close = false) override;
    void respondRawAndClose(const QByteArray &bytes) override;
    QTcpSocket *takeSocket() override;
    void abort() override;
    void closeGracefully() override;
    // Every response closes the connection (a worker's connections: the next request may
    // belong to another worker, and only a new connection goes through the router).
    void setOneRequestOnly() { m_closeAfterResponse = true; }

    bool isSecure() const { return m_secure; }
    qsizetype headLength() const override { return m_headLength; }
    bool isWaitingForResponse() const override { return m_state == State::Dispatched; }

private:
    enum class State { Idle, ReadingBody, Dispatched, Closing, Detached };
    void readHead();
    void readBody();
    void onReadyRead();
    void onBytesWritten();
    void onDisconnected();
    void onTimeout();
    void failRequest(int status);
    void startTimer(int ms);
    qint64 readAheadLimit() const;
    qint64 unsentBytes() const;
    void resumeReading();

    QTcpSocket *m_socket;
    Handler *m_handler;
    HttpLimits m_limits;
    State m_state = State::Idle;
    bool m_secure = false;
    bool m_closeAfterResponse = false;
    bool m_headStarted = false;     // a byte of the next request's head has arrived
    bool m_requestLineOk = false;   // its request line is complete and valid
    bool m_waitingForDrain = false; // too many answers unsent: the next request waits
    qsizetype m_scanned = 0;
    qsizetype m_headLength = 0;
    HttpRequest m_request;
    BodyReader m_body;
    QTimer m_timer;
};

} // namespace SocketIO::Http
