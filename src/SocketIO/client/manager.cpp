#include "manager.h"

#include "client/manager_p.h"
#include "clientsocket.h"
#include "core/reasons_p.h"
#include "engineio/engineoptions_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QFile>
#include <QtCore/QLoggingCategory>
#include <QtCore/QRandomGenerator>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkCookieJar>

Q_DECLARE_LOGGING_CATEGORY(lcClient)

namespace SocketIO {

int Backoff::duration()
{
    double ms = m_ms * std::pow(2.0, m_attempts++);
    if (m_jitter > 0) {
        const double random = QRandomGenerator::global()->generateDouble();
        const double deviation = std::floor(random * m_jitter * ms);
        ms = (int(std::floor(random * 10)) & 1) == 0 ? ms - deviation : ms + deviation;
    }
    return int(std::min(ms, double(m_max)));
}

ManagerPrivate::ManagerPrivate(Manager *q)
    : q_ptr(q)
    , backoff(1000, 5000, 0.5)
{}

void ManagerPrivate::open(std::function<void(const QString &)> done)
{
    Q_Q(Manager);
    if (!isClosed())
        return;
    cleanupEngine();
    engine = new EngineIO::EngineClient(url, options, network, q);
    parser = options.parser;
    decoder = parser->createDecoder();
    skipReconnect = false;
    pendingOpen = std::move(done);
    auto onError = [this](const QString &message) {
        Q_Q(Manager);
        if (state != Manager::State::Opening)
            return;
        openTimeout.stop();
        cleanupEngine();
        setState(Manager::State::Closed);
        Q_EMIT q->errorOccurred(message, Manager::errorFromMessage(message));
        if (auto done = std::exchange(pendingOpen, nullptr))
            done(message);
        else
            maybeReconnectOnOpen();
    };
    QObject::connect(engine, &EngineIO::EngineClient::opened, q, [this] {
        openTimeout.stop();
        onEngineOpen();
        if (auto done = std::exchange(pendingOpen, nullptr))
            done({});
    });
    QObject::connect(engine, &EngineIO::EngineClient::errorOccurred, q, onError);
    QObject::connect(engine, &EngineIO::EngineClient::closed, q,
                     [this, onError](const QString &reason, const QString &description) {
                         if (state == Manager::State::Opening)
                             onError(description.isEmpty() ? reason : description);
                         else
                             onEngineClose(reason, description);
                     });
    if (options.timeout >= 0) {
        openTimeout.setSingleShot(true);
        openTimeout.disconnect();
        QObject::connect(&openTimeout, &QTimer::timeout, q,
                         [onError] { onError(QStringLiteral("timeout")); });
        openTimeout.start(options.timeout);
    }
    // Announced once wired up, and the engine opens only if no slot closed it again.
    QPointer<Manager> guard(q);
    setState(Manager::State::Opening);
    if (!guard || state != Manager::State::Opening)
        return;
    engine->open();
}

void ManagerPrivate::setState(Manager::State next)
{
    Q_Q(Manager);
    if (state == next)
        return;
    state = next;
    Q_EMIT q->stateChanged(next);
    Q_EMIT q->transportNameChanged();
}

void ManagerPrivate::cleanupEngine()
{
    Q_Q(Manager);
    if (!engine)
        return;
    EngineIO::EngineClient *old = engine;
    engine = nullptr;
    old->disconnect(q);
    old->close();
    // It lives on until what it had queued (a DISCONNECT, say) is out.
    if (old->state() == EngineIO::EngineClient::State::Closed) {
        old->deleteLater();
    } else {
        QObject::connect(old, &EngineIO::EngineClient::closed, old, &QObject::deleteLater);
        // A timer of its own, gone with it: a QTimer::singleShot() would outlive it, holding
        // its slot object for the whole 10 s after every closed connection.
        auto *deadline = new QTimer(old);
        deadline->setSingleShot(true);
        QObject::connect(deadline, &QTimer::timeout, old, &QObject::deleteLater);
        deadline->start(10'000);
    }
}

void ManagerPrivate::onEngineOpen()
{
    Q_Q(Manager);
    QObject::connect(engine, &EngineIO::EngineClient::pinged, q, &Manager::ping);
    QObject::connect(engine, &EngineIO::EngineClient::messageReceived, q,
                     [this](const QByteArray &data, bool binary) { onMessage(data, binary); });
    QObject::connect(engine, &EngineIO::EngineClient::upgraded, q, &Manager::upgraded);
    QObject::connect(engine, &EngineIO::EngineClient::upgraded, q, &Manager::transportNameChanged);
    QPointer<Manager> guard(q);
    setState(Manager::State::Open);
    if (!guard || state != Manager::State::Open)
        return; // a stateChanged() slot closed it
    Q_EMIT q->opened();
}

void ManagerPrivate::onMessage(const QByteArray &data, bool binary)
{
    Q_Q(Manager);
    QList<Packet> packets;
    QString error;
    if (!decoder->add(data, binary, &packets, &error)) {
        // The reference closes the connection on a packet it cannot decode.
        qCWarning(lcClient) << "invalid packet from the server:" << error;
        onEngineClose(QStringLiteral("parse error"), error);
        return;
    }
    QPointer<Manager> guard(q);
    for (Packet &packet : packets) {
        if (!guard)
            return;
        if (ClientSocket *socket = nsps.value(packet.nsp))
            ClientSocketPrivate::get(socket)->onPacket(packet);
    }
}

void ManagerPrivate::onEngineClose(const QString &reason, const QString &description)
{
    Q_Q(Manager);
    cleanupEngine();
    backoff.reset();
    setState(Manager::State::Closed);
    Q_EMIT q->closed(reason, description, Manager::reasonFromString(reason));
    // Unless a slot opened it again.
    if (state == Manager::State::Closed && options.reconnection && !skipReconnect)
        reconnect();
}

void ManagerPrivate::maybeReconnectOnOpen()
{
    if (!reconnecting && options.reconnection && backoff.attempts() == 0)
        reconnect();
}

void ManagerPrivate::reconnect()
{
    Q_Q(Manager);
    if (reconnecting || skipReconnect)
        return;
    if (backoff.attempts() >= options.reconnectionAttempts) {
        backoff.reset();
        reconnecting = false;
        Q_EMIT q->reconnectFailed();
        return;
    }
    const int delay = backoff.duration();
    reconnecting = true;
    reconnectTimer.setSingleShot(true);
    reconnectTimer.disconnect();
    QObject::connect(&reconnectTimer, &QTimer::timeout, q, [this] {
        Q_Q(Manager);
        if (skipReconnect)
            return;
        Q_EMIT q->reconnectAttempt(backoff.attempts());
        if (skipReconnect)
            return;
        open([this](const QString &error) {
            Q_Q(Manager);
            if (!error.isEmpty()) {
                reconnecting = false;
                reconnect();
                Q_EMIT q->reconnectError(error, Manager::errorFromMessage(error));
                return;
            }
            const int attempt = backoff.attempts();
            reconnecting = false;
            backoff.reset();
            Q_EMIT q->reconnected(attempt);
        });
    });
    reconnectTimer.start(delay);
    if (state == Manager::State::Closed)
        setState(Manager::State::Reconnecting);
}

void ManagerPrivate::writePacket(const Packet &packet, bool compress)
{
    if (!engine)
        return;
    for (const EngineMessage &message : parser->encode(packet))
        engine->sendMessage(message.data, message.binary, compress);
}

void ManagerPrivate::destroySocket(ClientSocket *)
{
    for (ClientSocket *socket : std::as_const(nsps)) {
        if (socket->isActive())
            return;
    }
    Q_Q(Manager);
    q->close();
}

/*!
    \class SocketIO::Manager
    \inmodule SocketIO
    \brief One Engine.IO connection shared by the client sockets of its namespaces.

    Reconnects with the reference's backoff. Owns its ClientSockets. Lives on the thread
    that created it, and emits its signals there.
*/

/*!
    \enum Manager::State

    The state of the connection; the reference's readyState is state(), with Reconnecting read
    as "closed".
*/

/*!
    \var Manager::Closed

    No connection, and none is being made.
*/

/*!
    \var Manager::Opening

    The engine is connecting, for open() or a reconnection attempt (see isReconnecting()).
*/

/*!
    \var Manager::Open

    The connection is open.
*/

/*!
    \var Manager::Reconnecting

    The connection is down and the next attempt waits for its backoff delay.
*/

/*!
    \property Manager::state

    \brief the state of the connection.
*/

/*!
    \fn void Manager::stateChanged(SocketIO::Manager::State state)

    Emitted when the state changed to \a state.
*/

/*!
    \fn void Manager::opened()

    Emitted when the connection opened (the reference's "open" event).
*/

/*!
    \fn void Manager::errorOccurred(const QString &message)

    Emitted when a connection attempt failed, with the reason in \a message (the reference's
    "error" event).
*/

/*!
    \fn void Manager::closed(const QString &reason, const QString &description)

    Emitted when the connection closed, with the reference's \a reason ("forced close" after
    close(), "transport close", "ping timeout", ...) and a \a description (the reference's
    "close" event).
*/

/*!
    \fn void Manager::ping()

    Emitted for each heartbeat from the server.
*/

/*!
    \fn void Manager::reconnectAttempt(int attempt)

    Emitted before each reconnection \a attempt, counted from 1.
*/

/*!
    \fn void Manager::reconnected(int attempt)

    Emitted when reconnection \a attempt succeeded.
*/

/*!
    \fn void Manager::reconnectError(const QString &message)

    Emitted when a reconnection attempt failed, with the reason in \a message.
*/

/*!
    \fn void Manager::reconnectFailed()

    Emitted when no reconnection attempt is left (ManagerOptions::reconnectionAttempts).
*/

/*!
    \fn void Manager::upgraded(const QString &transport)

    Emitted when the connection moved to \a transport ("websocket").
*/

/*!
    Constructs a manager for the server at \a url with \a options, as a child of \a parent. It
    does not connect until open() or, with autoConnect, until a socket is created. Invalid
    options are logged.
*/
Manager::Manager(const QUrl &url, const ManagerOptions &options, QObject *parent)
    : QObject(parent)
    , d_ptr(new ManagerPrivate(this))
{
    Q_D(Manager);
    d->url = url;
    d->options = options;
    d->backoff = Backoff(options.reconnectionDelay, options.reconnectionDelayMax,
                         options.randomizationFactor);
    d->network = new QNetworkAccessManager(this);
    d->network->setCookieJar(new QNetworkCookieJar(d->network));
    d->reconnectTimer.setParent(this);
    d->openTimeout.setParent(this);
    const QString problem = options.validate();
    if (!problem.isEmpty())
        qCWarning(lcClient) << "invalid options:" << problem;
}

/*!
    Closes the connection without reconnecting and destroys the manager and its sockets.
*/
Manager::~Manager()
{
    Q_D(Manager);
    d->skipReconnect = true;
    d->cleanupEngine();
}

/*!
    \property SocketIO::Manager::url
    \brief the server URL the Manager connects to.
*/

/*!
    Returns the server's URL.
*/
QUrl Manager::url() const
{
    return d_func()->url;
}

/*!
    Returns the options.
*/
ManagerOptions Manager::options() const
{
    return d_func()->options;
}

/*!
    Replaces the options with \a options, as the reference's \c manager.opts is changed in a
    \c connect_error or \c reconnect_attempt handler (for example to fall back from WebSocket
    to polling, or to refresh a token in the query). Returns false, changing nothing, when
    validate() refuses them; the reason is logged.

    The reconnection settings (reconnection, reconnectionAttempts, reconnectionDelay,
    reconnectionDelayMax, randomizationFactor) apply at once, keeping the attempts made so
    far, as the reference's setters do. Everything else (path, query, extraHeaders,
    transports, tls, protocols, timeout, parser, ...) applies from the next connection attempt:
    the one a slot connected to reconnectAttempt() is about to make, the next open(), or the
    next reconnection. The current connection keeps the options it was opened with.
*/
bool Manager::setOptions(const ManagerOptions &options)
{
    Q_D(Manager);
    const QString problem = options.validate();
    if (!problem.isEmpty()) {
        qCWarning(lcClient) << "options refused:" << problem;
        return false;
    }
    d->options = options;
    d->backoff.configure(options.reconnectionDelay, options.reconnectionDelayMax,
                         options.randomizationFactor);
    if (!options.reconnection && d->reconnecting) {
        // Like the reference's reconnection(false): no further attempt, not even the one a
        // reconnectAttempt() slot calling this precedes.
        d->skipReconnect = true;
        d->reconnectTimer.stop();
        d->reconnecting = false;
        d->backoff.reset();
        if (d->state == State::Reconnecting)
            d->setState(State::Closed);
    }
    return true;
}

/*!
    Returns the state of the connection.
*/
Manager::State Manager::state() const
{
    return d_func()->state;
}

/*!
    \property SocketIO::Manager::engineId
    \brief the Engine.IO session id of the open connection; empty while there is none.
*/

/*!
    Returns the Engine.IO session id, or an empty string without a connection.
*/
QString Manager::engineId() const
{
    Q_D(const Manager);
    return d->engine ? d->engine->id() : QString();
}

/*!
    \property SocketIO::Manager::transportName
    \brief the transport of the open connection, "polling" or "websocket"; empty while there
    is none.

    transportNameChanged() is emitted when the state changes and when the connection upgrades.
*/

/*!
    Returns the name of the current transport, "polling" or "websocket", or an empty string
    without a connection.
*/
QString Manager::transportName() const
{
    Q_D(const Manager);
    return d->engine ? d->engine->transportName() : QString();
}

/*!
    Returns true from the loss of the connection until an attempt succeeds or none is left.
*/
bool Manager::isReconnecting() const
{
    return d_func()->reconnecting;
}

/*!
    Returns the network access manager used for polling, with the cookie jar of withCredentials.
    Owned by the manager.
*/
QNetworkAccessManager *Manager::networkAccessManager() const
{
    return d_func()->network;
}

/*!
    Returns the socket for namespace \a nsp ("/" by default; "/" is prepended when missing),
    created with \a options on first use and cached; later calls return it and ignore \a
    options. With autoConnect, a new socket connects at once. The manager owns its sockets.
*/
ClientSocket *Manager::socket(const QString &nsp, const SocketOptions &options)
{
    Q_D(Manager);
    const QString name = nsp.startsWith(u'/') ? nsp : u'/' + nsp;
    if (ClientSocket *existing = d->nsps.value(name))
        return existing;
    auto *socket = new ClientSocket(this);
    ClientSocketPrivate *s = ClientSocketPrivate::get(socket);
    s->manager = this;
    s->nsp = name;
    s->options = options;
    d->nsps.insert(name, socket);
    if (d->options.autoConnect)
        socket->connectToServer();
    return socket;
}

/*!
    Opens the connection, when it is not open or opening; sockets do it when autoConnect is on.
*/
void Manager::open()
{
    Q_D(Manager);
    d->open({});
}

/*!
    Closes the connection and stops reconnecting.
*/
void Manager::close()
{
    Q_D(Manager);
    d->skipReconnect = true;
    d->reconnecting = false;
    d->reconnectTimer.stop();
    d->openTimeout.stop();
    if (d->isClosed() && !d->engine) {
        d->setState(State::Closed); // no attempt is scheduled any more
        return;
    }
    d->pendingOpen = nullptr;
    d->onEngineClose(QStringLiteral("forced close"), {});
}

/*!
    Returns an empty string when the options can be used, else why not.
*/
QString ManagerOptions::validate() const
{
    for (const QString &transport : transports) {
        if (transport == u"webtransport")
            return QStringLiteral(
                "the \"webtransport\" transport is not supported: it needs HTTP/3, "
                "which Qt does not provide");
        if (transport == u"htmlfile" || transport == u"flashsocket")
            return QStringLiteral("the 0.9 transport \"%1\" is not implemented: use "
                                  "\"polling\" or \"websocket\"")
                .arg(transport);
        // 0.9's "xhr-polling" and "jsonp-polling" are "polling".
        if (EngineIO::modernTransportName(transport).isEmpty())
            return QStringLiteral("unknown transport \"%1\"").arg(transport);
    }
    // The engine's own query parameters: a user value would be overwritten (the reference
    // does so silently) or, for "j" and "b64", change how the server answers.
    const QStringList reserved = {QStringLiteral("EIO"), QStringLiteral("transport"),
                                  QStringLiteral("sid"), QStringLiteral("j"),
                                  QStringLiteral("b64"), timestampParam};
    for (const QString &key : reserved) {
        if (query.contains(key))
            return QStringLiteral("query parameter \"%1\" is reserved by the Engine.IO protocol "
                                  "(the client sets it); rename it")
                .arg(key);
    }
    if (reconnectionDelay < 0 || reconnectionDelayMax < 0)
        return QStringLiteral("reconnection delays must not be negative");
    if (randomizationFactor < 0 || randomizationFactor > 1)
        return QStringLiteral("randomizationFactor must be between 0 and 1");
    if (!parser)
        return QStringLiteral("parser must be set");
    if (maxPayload() <= 0)
        return QStringLiteral("maxPayload must be positive");
    if (perMessageDeflate())
        return validatePerMessageDeflate(perMessageDeflateOptions());
    return {};
}

/*!
    Adds the PEM certificates of the file at \a path to ca. Returns false, with a message in
    \a error (if not null), when none can be read.
*/
bool TlsOptions::loadCa(const QString &path, QString *error)
{
    const QList<QSslCertificate> certificates = QSslCertificate::fromPath(path, QSsl::Pem);
    if (certificates.isEmpty()) {
        if (error)
            *error = QStringLiteral("no PEM certificate could be read from %1").arg(path);
        return false;
    }
    ca += certificates;
    return true;
}

namespace {
QString cacheKey(const QUrl &url)
{
    const QString scheme = url.scheme() == u"wss"  ? QStringLiteral("https")
                           : url.scheme() == u"ws" ? QStringLiteral("http")
                                                   : url.scheme();
    const int port = url.port(scheme == u"https" ? 443 : 80);
    return scheme + QStringLiteral("://") + url.host() + u':' + QString::number(port);
}

QHash<QString, QPointer<Manager>> &managerCache()
{
    static QHash<QString, QPointer<Manager>> cache;
    return cache;
}
} // namespace

/*!
    Returns the socket for the path of \a url (the namespace), with \a socketOptions, like the
    reference's io(url, options).

    The socket runs over a Manager shared per scheme://host:port, unless \a options set
    ManagerOptions::forceNew or clear ManagerOptions::multiplex, or the namespace is already
    open on the shared one; then it gets a Manager of its own. The URL's query goes to the
    engine. The Managers made here are children of the application object; the socket is owned
    by its Manager.
*/
ClientSocket *io(const QUrl &url, const ManagerOptions &options, const SocketOptions &socketOptions)
{
    const QString key = cacheKey(url);
    const QString nsp = url.path().isEmpty() ? QStringLiteral("/") : url.path();
    QUrl base = url;
    base.setPath(QString());
    base.setQuery(QString());
    base.setFragment(QString());
    ManagerOptions effective = options;
    // The URL's query goes to the engine, as the reference does.
    const QUrlQuery query(url);
    for (const auto &item : query.queryItems(QUrl::FullyDecoded))
        effective.query.insert(item.first, item.second);
    QPointer<Manager> &cached = managerCache()[key];
    const bool sameNamespace = cached && ManagerPrivate::get(cached)->nsps.contains(nsp);
    const bool newConnection = options.forceNew || !options.multiplex || sameNamespace;
    Manager *manager = nullptr;
    if (newConnection) {
        manager = new Manager(base, effective, QCoreApplication::instance());
    } else {
        if (!cached)
            cached = new Manager(base, effective, QCoreApplication::instance());
        manager = cached;
    }
    return manager->socket(nsp, socketOptions);
}

// The shared table's order (core/reasons_p.h).
static_assert(int(Manager::CloseReason::Unknown) == 0 &&
              int(Manager::CloseReason::ForcedClose) == engineCloseReasonCount);

namespace {

const ReasonEntry<Manager::Error> managerErrors[] = {
    {Manager::Error::Timeout, u"timeout"},
    {Manager::Error::XhrPollError, u"xhr poll error"},
    {Manager::Error::XhrPostError, u"xhr post error"},
    {Manager::Error::WebSocketError, u"websocket error"},
    {Manager::Error::ServerError, u"server error"},
    {Manager::Error::AckTimeout, u"operation has timed out"},
    {Manager::Error::SocketDisconnected, u"socket has been disconnected"},
};

} // namespace

/*!
    \enum Manager::CloseReason

    Why the connection closed, as closed() reports it next to the reference's string.
*/

/*!
    \var Manager::Unknown

    A reason this version does not know.
*/

/*!
    \var Manager::TransportClose

    "transport close": the server closed the connection.
*/

/*!
    \var Manager::TransportError

    "transport error": the connection failed.
*/

/*!
    \var Manager::PingTimeout

    "ping timeout": the server stopped pinging.
*/

/*!
    \var Manager::ParseError

    "parse error": the server sent a packet that does not decode.
*/

/*!
    \var Manager::ForcedClose

    "forced close": close() was called.
*/

/*!
    \enum Manager::Error

    Why a connection attempt, a namespace connection or an acknowledgement failed. The
    Manager's errorOccurred() and reconnectError(), and ClientSocket::connectError(), carry it
    beside the reference's message; acknowledgement callbacks get the message only, which
    errorFromMessage() maps.
*/

/*!
    \var Manager::NoError

    No error.
*/

/*!
    \var Manager::UnknownError

    A message this version does not know.
*/

/*!
    \var Manager::Timeout

    "timeout": no handshake within ManagerOptions::timeout.
*/

/*!
    \var Manager::XhrPollError

    "xhr poll error": a polling request failed.
*/

/*!
    \var Manager::XhrPostError

    "xhr post error": a polling write failed.
*/

/*!
    \var Manager::WebSocketError

    "websocket error": the WebSocket failed.
*/

/*!
    \var Manager::ServerError

    "server error": the server refused the handshake.
*/

/*!
    \var Manager::ConnectRefused

    The server refused the namespace connection (CONNECT_ERROR, e.g. from a middleware); the message
    is the server's.
*/

/*!
    \var Manager::IncompatibleServer

    The server speaks Socket.IO v2.
*/

/*!
    \var Manager::AckTimeout

    "operation has timed out": an acknowledgement timed out.
*/

/*!
    \var Manager::SocketDisconnected

    "socket has been disconnected": an acknowledgement was dropped with its connection.
*/

// clang-format off
/*!
    \fn void SocketIO::Manager::errorOccurred(const QString &message, SocketIO::Manager::Error error)

    Emitted when opening the connection fails, with the reference's \a message (the kind,
    then ": " and details where there are any) and its kind as \a error.
*/
// clang-format on

// clang-format off
/*!
    \fn void SocketIO::Manager::reconnectError(const QString &message, SocketIO::Manager::Error error)

    Emitted when a reconnection attempt fails, with its \a message and kind \a error.
*/
// clang-format on

// clang-format off
/*!
    \fn void SocketIO::Manager::closed(const QString &reason, const QString &description, SocketIO::Manager::CloseReason code)

    Emitted when the open connection closes, with the reference's \a reason string, an
    optional \a description and the reason as \a code.
*/
// clang-format on

/*!
    \fn void SocketIO::Manager::transportNameChanged()

    Emitted when the transportName property may have changed: on every state change and when
    the connection upgrades.
*/

/*!
    Returns the reference's string for \a reason ("transport close", ...); an empty string for
    CloseReason::Unknown.
*/
QString Manager::reasonString(CloseReason reason)
{
    return engineCloseReasonString(reason);
}

/*!
    Returns the CloseReason of the reference's string \a reason, or CloseReason::Unknown.
*/
Manager::CloseReason Manager::reasonFromString(QStringView reason)
{
    return engineCloseReasonFromString<CloseReason>(reason);
}

/*!
    Returns the reference's message for \a error ("timeout", "xhr poll error", ...); an empty
    string for the kinds whose message comes from the server or that have none.
*/
QString Manager::errorMessage(Error error)
{
    return reasonToString(managerErrors, error);
}

/*!
    Returns the kind of the reference's error \a message, read up to its first ": " (the
    details that follow are ignored): Error::NoError for an empty message,
    Error::UnknownError for one this version does not know. Messages from the server
    (CONNECT_ERROR) are not recognized: ClientSocket::connectError() gives their kind.
*/
Manager::Error Manager::errorFromMessage(QStringView message)
{
    if (message.isEmpty())
        return Error::NoError;
    const qsizetype colon = message.indexOf(u": ");
    return SocketIO::reasonFromString(managerErrors, colon < 0 ? message : message.left(colon),
                                      Error::UnknownError);
}

} // namespace SocketIO
