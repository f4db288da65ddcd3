#pragma once

#include "socketio_export.h"
#include <SocketIO/clientoptions.h>

#include <QtCore/QObject>
#include <QtCore/QUrl>

#include <memory>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
QT_END_NAMESPACE

namespace SocketIO {

class ClientSocket;
class ManagerPrivate;

// One Engine.IO connection to a server, shared by the ClientSockets of its namespaces; it
// reconnects with exponential backoff (socket.io-client's Manager). Lives on the thread that
// created it; its sockets are its children.
class SOCKETIO_EXPORT Manager : public QObject
{
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QUrl url READ url CONSTANT)
    Q_PROPERTY(QString engineId READ engineId NOTIFY stateChanged)
    Q_PROPERTY(QString transportName READ transportName NOTIFY transportNameChanged)
public:
    // Opening: the engine is connecting, for open() or a reconnection attempt (see
    // isReconnecting()). Reconnecting: the connection is down and the next attempt waits
    // for its backoff delay. The reference's readyState is state(), Reconnecting read as
    // "closed".
    enum class State { Closed, Opening, Open, Reconnecting };
    Q_ENUM(State)
    // Why the connection closed; closed() carries it beside the reference's string.
    enum class CloseReason {
        Unknown,
        TransportClose, // "transport close"
        TransportError, // "transport error"
        PingTimeout,    // "ping timeout"
        ParseError,     // "parse error"
        ForcedClose,    // "forced close"
    };
    Q_ENUM(CloseReason)
    // Why a connection (or a namespace connection, or an acknowledgement) failed; the error
    // signals carry it beside the reference's message.
    enum class Error {
        NoError,
        UnknownError,
        Timeout,            // "timeout": no handshake within ManagerOptions::timeout
        XhrPollError,       // "xhr poll error"
        XhrPostError,       // "xhr post error"
        WebSocketError,     // "websocket error"
        ServerError,        // "server error": the server refused the handshake
        ConnectRefused,     // ClientSocket: the server sent CONNECT_ERROR (e.g. a middleware)
        IncompatibleServer, // ClientSocket: a Socket.IO v2 server
        AckTimeout,         // "operation has timed out"
        SocketDisconnected, // "socket has been disconnected"
    };
    Q_ENUM(Error)

    static QString reasonString(CloseReason reason);
    static CloseReason reasonFromString(QStringView reason);
    static QString errorMessage(Error error);
    static Error errorFromMessage(QStringView message);

    explicit Manager(const QUrl &url, const ManagerOptions &options = {},
                     QObject *parent = nullptr);
    ~Manager() override;

    QUrl url() const;
    ManagerOptions options() const;
    // New options: the reconnection settings apply at once, the others from the next attempt.
    bool setOptions(const ManagerOptions &options);
    State state() const;
    QString engineId() const;
    QString transportName() const;

    // The socket for a namespace ("/" by default), created on first use and cached.
    ClientSocket *socket(const QString &nsp = QStringLiteral("/"),
                         const SocketOptions &options = {});

    // Opens the connection (done by sockets when autoConnect is on).
    void open();
    // Closes the connection and stops reconnecting.
    void close();
    // From the loss of the connection until an attempt succeeds or none is left.
    bool isReconnecting() const;

    // The network access manager used for polling and cookies (withCredentials).
    QNetworkAccessManager *networkAccessManager() const;

Q_SIGNALS:
    void stateChanged(SocketIO::Manager::State state);
    void opened();
    void errorOccurred(const QString &message, SocketIO::Manager::Error error);
    void closed(const QString &reason, const QString &description,
                SocketIO::Manager::CloseReason code);
    void ping();
    void reconnectAttempt(int attempt);
    void reconnected(int attempt);
    void reconnectError(const QString &message, SocketIO::Manager::Error error);
    void reconnectFailed();
    void upgraded(const QString &transport);
    void transportNameChanged();

private:
    friend class ClientSocket;
    friend class ClientSocketPrivate;
    Q_DECLARE_PRIVATE(Manager)
    Q_DISABLE_COPY_MOVE(Manager)
    std::unique_ptr<ManagerPrivate> const d_ptr;
};

// The reference's io(url, options): the socket of the URL's path (the namespace), over a
// Manager shared per scheme://host:port unless forceNew, multiplex false, or the namespace is
// already open on the cached one. Cached Managers live until the application quits.
SOCKETIO_EXPORT ClientSocket *io(const QUrl &url, const ManagerOptions &options = {},
                                 const SocketOptions &socketOptions = {});

} // namespace SocketIO
