#pragma once

#include "socketio_export.h"
#include <SocketIO/engineoptions.h>
#include <SocketIO/enginesocket.h>
#include <SocketIO/httprequest.h>

#include <QtCore/QObject>
#include <QtCore/QSharedDataPointer>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslConfiguration>

#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QTcpServer;
QT_END_NAMESPACE

namespace SocketIO {

class EngineServerPrivate;

class EngineConnectionErrorData;

// A connection refused by the engine (the reference's "connection_error" event). Implicitly
// shared.
class SOCKETIO_EXPORT EngineConnectionError
{
    Q_GADGET
    Q_PROPERTY(HttpRequest request READ request WRITE setRequest)
    Q_PROPERTY(int code READ code WRITE setCode)
    Q_PROPERTY(QString message READ message WRITE setMessage)
public:
    EngineConnectionError() noexcept;
    EngineConnectionError(const EngineConnectionError &other) noexcept;
    EngineConnectionError(EngineConnectionError &&other) noexcept;
    EngineConnectionError &operator=(const EngineConnectionError &other) noexcept;
    EngineConnectionError &operator=(EngineConnectionError &&other) noexcept;
    ~EngineConnectionError();
    void swap(EngineConnectionError &other) noexcept { d.swap(other.d); }

    HttpRequest request() const;
    void setRequest(const HttpRequest &request);
    int code() const;
    void setCode(int code);
    QString message() const;
    void setMessage(const QString &message);

private:
    QSharedDataPointer<EngineConnectionErrorData> d; // null: all defaults
};

// The Engine.IO v4 server (v3 with allowEIO3): HTTP long-polling and WebSocket, upgrades,
// heartbeats. Usable on its own (like the `engine.io` package) or under the Socket.IO Server.
class SOCKETIO_EXPORT EngineServer : public QObject
{
    Q_OBJECT
    Q_PROPERTY(int clientsCount READ clientsCount NOTIFY clientsCountChanged)
public:
    // The reference's error codes (engine.io Server.errors).
    enum class ErrorCode {
        NoError = -1,
        UnknownTransport = 0,
        UnknownSid = 1,
        BadHandshakeMethod = 2,
        BadRequest = 3,
        Forbidden = 4,
        UnsupportedProtocolVersion = 5,
    };
    Q_ENUM(ErrorCode)
    enum class Error { NoError, InvalidOptions, ListenFailed, AlreadyListening };
    Q_ENUM(Error)

    // allowRequest: call `decide(QString(), true)` to accept, `decide(reason, false)` to refuse
    // with 403 and that reason; may be called later (asynchronously).
    using Decision = std::function<void(const QString &reason, bool allow)>;
    using AllowRequest = std::function<void(const HttpRequest &request, Decision decide)>;
    // Requests outside the engine path: fill `response` and return true, or return false for
    // the default 404.
    using RequestHandler = std::function<bool(const HttpRequest &request, HttpResponse &response)>;
    // The same, answered later (Express's route that ends `res` after a database call): return
    // true and call `respond` once, on the engine's thread; false for the default 404.
    using Respond = std::function<void(const HttpResponse &response)>;
    using AsyncRequestHandler = std::function<bool(const HttpRequest &request, Respond respond)>;
    // Headers of every engine response ("headers"), with `initial` for the handshake
    // ("initial_headers"). WebSocket handshakes are answered by QWebSocketServer and do not
    // pass through this hook.
    using HeadersHook =
        std::function<void(const HttpRequest &request, HttpResponse &response, bool initial)>;

    explicit EngineServer(QObject *parent = nullptr);
    explicit EngineServer(const EngineOptions &options, QObject *parent = nullptr);
    ~EngineServer() override;

    EngineOptions options() const;
    // Only before listening; returns false (and sets error()) when the options are refused.
    bool setOptions(const EngineOptions &options);

    // Standalone: listen on its own server socket. With an SSL configuration set, it serves
    // https/wss through a QSslServer.
    bool listen(const QHostAddress &address = QHostAddress::Any, quint16 port = 0);
    void setSslConfiguration(const QSslConfiguration &configuration);
    // Attached: take over the connections of a server the application owns (a QTcpServer or
    // a QSslServer). Requests outside the engine path go to the request handler.
    bool attach(QTcpServer *server);
    // Shares the port of another engine that listens already: requests for this engine's
    // path are routed here (e.g. raw Engine.IO beside a Socket.IO server).
    bool attach(EngineServer *host);
    // Closes every session ("forced close") and stops listening; listen() may follow again.
    void close();
    bool isListening() const;
    quint16 serverPort() const;
    QHostAddress serverAddress() const;
    // The server socket the engine accepts connections from (io.httpServer): its own after
    // listen(), the application's after attach(), the host's when sharing an engine's port.
    QTcpServer *httpServer() const;

    void setAllowRequest(QObject *context, AllowRequest allowRequest);
    void setRequestHandler(QObject *context, RequestHandler handler);
    void setAsyncRequestHandler(QObject *context, AsyncRequestHandler handler);
    void setHeadersHook(QObject *context, HeadersHook hook);

    QList<EngineSocket *> clients() const;
    EngineSocket *client(const QString &id) const;
    int clientsCount() const;

    Error error() const;
    QString errorString() const;
    static QString errorMessage(ErrorCode code);

Q_SIGNALS:
    // A new session; the socket is owned by the server and deleted after its closed().
    void connection(SocketIO::EngineSocket *socket);
    void connectionError(const SocketIO::EngineConnectionError &error);
    void clientsCountChanged();
    void errorOccurred(SocketIO::EngineServer::Error error);

private:
    friend class EngineSocketPrivate;
    friend class EngineServerPrivate;
    Q_DECLARE_PRIVATE(EngineServer)
    Q_DISABLE_COPY_MOVE(EngineServer)
    std::unique_ptr<EngineServerPrivate> const d_ptr;
};

} // namespace SocketIO

Q_DECLARE_SHARED(SocketIO::EngineConnectionError)
Q_DECLARE_METATYPE(SocketIO::EngineConnectionError)
