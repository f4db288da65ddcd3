#include "client.h"

#include "emitter.h"

#include <QtCore/QLoggingCategory>
#include <QtQml/QQmlEngine>
#include <QtQml/QQmlInfo>

#include <limits>

namespace SocketIO {

namespace {
// The option properties, by the reference's names, with the reference's defaults.
const QString Path = QStringLiteral("path");
const QString Auth = QStringLiteral("auth");
const QString Query = QStringLiteral("query");
const QString ExtraHeaders = QStringLiteral("extraHeaders");
const QString Transports = QStringLiteral("transports");
const QString Reconnection = QStringLiteral("reconnection");
const QString ReconnectionAttempts = QStringLiteral("reconnectionAttempts");
const QString ReconnectionDelay = QStringLiteral("reconnectionDelay");
const QString ReconnectionDelayMax = QStringLiteral("reconnectionDelayMax");
const QString RandomizationFactor = QStringLiteral("randomizationFactor");
const QString Timeout = QStringLiteral("timeout");
const QString AckTimeout = QStringLiteral("ackTimeout");
const QString Retries = QStringLiteral("retries");
const QString ParserName = QStringLiteral("parser");
} // namespace

QmlClient::QmlClient(QObject *parent)
    : QmlSocketBase(parent)
{}

QmlClient::~QmlClient()
{
    // Quietly: no signal reaches a half-destroyed QML object.
    if (m_manager) {
        QObject::disconnect(m_manager, nullptr, this, nullptr);
        if (m_socket)
            QObject::disconnect(m_socket, nullptr, this, nullptr);
        delete m_manager.data();
    }
}

QVariant QmlClient::option(const QString &name, const QVariant &fallback) const
{
    const auto it = m_explicit.constFind(name);
    if (it != m_explicit.cend())
        return *it;
    return m_options.value(name, fallback);
}

void QmlClient::setOption(const QString &name, const QVariant &value, void (QmlClient::*changed)())
{
    const auto it = m_explicit.constFind(name);
    if (it != m_explicit.cend() && *it == value)
        return;
    m_explicit.insert(name, value);
    Q_EMIT(this->*changed)();
    if (name == Auth && m_socket) {
        // Sent with the next CONNECT; no reason to reconnect now.
        m_socket->setAuth(value.toMap());
        return;
    }
    scheduleRestart();
}

QUrl QmlClient::url() const
{
    return m_url;
}

void QmlClient::setUrl(const QUrl &url)
{
    if (m_url == url)
        return;
    m_url = url;
    Q_EMIT urlChanged();
    scheduleRestart();
}

QString QmlClient::path() const
{
    return option(Path, QStringLiteral("/socket.io")).toString();
}

void QmlClient::setPath(const QString &path)
{
    setOption(Path, path, &QmlClient::pathChanged);
}

QString QmlClient::nsp() const
{
    return m_nsp;
}

void QmlClient::setNsp(const QString &nsp)
{
    if (m_nsp == nsp)
        return;
    m_nsp = nsp;
    Q_EMIT namespaceChanged();
    scheduleRestart();
}

QVariantMap QmlClient::auth() const
{
    return option(Auth, QVariantMap()).toMap();
}

void QmlClient::setAuth(const QVariantMap &auth)
{
    setOption(Auth, auth, &QmlClient::authChanged);
}

QVariantMap QmlClient::query() const
{
    return option(Query, QVariantMap()).toMap();
}

void QmlClient::setQuery(const QVariantMap &query)
{
    setOption(Query, query, &QmlClient::queryChanged);
}

QVariantMap QmlClient::extraHeaders() const
{
    return option(ExtraHeaders, QVariantMap()).toMap();
}

void QmlClient::setExtraHeaders(const QVariantMap &headers)
{
    setOption(ExtraHeaders, headers, &QmlClient::extraHeadersChanged);
}

QStringList QmlClient::transports() const
{
    return option(Transports, QStringList{QStringLiteral("polling"), QStringLiteral("websocket")})
        .toStringList();
}

void QmlClient::setTransports(const QStringList &transports)
{
    setOption(Transports, transports, &QmlClient::transportsChanged);
}

bool QmlClient::reconnection() const
{
    return option(Reconnection, true).toBool();
}

void QmlClient::setReconnection(bool reconnection)
{
    setOption(Reconnection, reconnection, &QmlClient::reconnectionChanged);
}

int QmlClient::reconnectionAttempts() const
{
    return option(ReconnectionAttempts, std::numeric_limits<int>::max()).toInt();
}

void QmlClient::setReconnectionAttempts(int attempts)
{
    setOption(ReconnectionAttempts, attempts, &QmlClient::reconnectionAttemptsChanged);
}

int QmlClient::reconnectionDelay() const
{
    return option(ReconnectionDelay, 1000).toInt();
}

void QmlClient::setReconnectionDelay(int delay)
{
    setOption(ReconnectionDelay, delay, &QmlClient::reconnectionDelayChanged);
}

int QmlClient::reconnectionDelayMax() const
{
    return option(ReconnectionDelayMax, 5000).toInt();
}

void QmlClient::setReconnectionDelayMax(int delay)
{
    setOption(ReconnectionDelayMax, delay, &QmlClient::reconnectionDelayMaxChanged);
}

double QmlClient::randomizationFactor() const
{
    return option(RandomizationFactor, 0.5).toDouble();
}

void QmlClient::setRandomizationFactor(double factor)
{
    setOption(RandomizationFactor, factor, &QmlClient::randomizationFactorChanged);
}

int QmlClient::connectionTimeout() const
{
    return option(Timeout, 20000).toInt();
}

void QmlClient::setConnectionTimeout(int timeout)
{
    setOption(Timeout, timeout, &QmlClient::connectionTimeoutChanged);
}

int QmlClient::ackTimeout() const
{
    return option(AckTimeout, -1).toInt();
}

void QmlClient::setAckTimeout(int timeout)
{
    setOption(AckTimeout, timeout, &QmlClient::ackTimeoutChanged);
}

int QmlClient::retries() const
{
    return option(Retries, 0).toInt();
}

void QmlClient::setRetries(int retries)
{
    setOption(Retries, retries, &QmlClient::retriesChanged);
}

QString QmlClient::parser() const
{
    return option(ParserName, QStringLiteral("default")).toString();
}

void QmlClient::setParser(const QString &parser)
{
    setOption(ParserName, parser, &QmlClient::parserChanged);
}

QVariantMap QmlClient::options() const
{
    return m_options;
}

void QmlClient::setOptions(const QVariantMap &options)
{
    if (m_options == options)
        return;
    m_options = options;
    Q_EMIT optionsChanged();
    scheduleRestart();
}

bool QmlClient::isActive() const
{
    return m_active;
}

void QmlClient::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    Q_EMIT activeChanged();
    if (!m_complete)
        return;
    if (!m_socket) {
        start();
    } else if (active) {
        m_socket->connectToServer();
    } else {
        m_socket->disconnectFromServer();
    }
    refreshState();
}

QmlClient::Status QmlClient::status() const
{
    return m_status;
}

bool QmlClient::isConnected() const
{
    return m_status == Connected;
}

QString QmlClient::id() const
{
    return m_id;
}

bool QmlClient::isRecovered() const
{
    return m_recovered;
}

QString QmlClient::transport() const
{
    return m_transport;
}

QString QmlClient::errorString() const
{
    return m_errorString;
}

void QmlClient::open()
{
    setActive(true);
}

void QmlClient::close()
{
    setActive(false);
}

QmlEmitter *QmlClient::timeout(int milliseconds) const
{
    return new QmlEmitter(Emitter(m_socket.data()).timeout(milliseconds), true,
                          const_cast<QmlClient *>(this));
}

QmlEmitter *QmlClient::compress(bool compress) const
{
    return new QmlEmitter(Emitter(m_socket.data()).compress(compress), ackTimeout() >= 0,
                          const_cast<QmlClient *>(this));
}

QmlEmitter *QmlClient::asVolatile() const
{
    return new QmlEmitter(Emitter(m_socket.data()).asVolatile(), ackTimeout() >= 0,
                          const_cast<QmlClient *>(this));
}

Manager *QmlClient::manager() const
{
    return m_manager;
}

ClientSocket *QmlClient::socket() const
{
    return m_socket;
}

void QmlClient::classBegin() {}

void QmlClient::componentComplete()
{
    m_complete = true;
    start();
}

QmlSender::AckStyle QmlClient::ackStyle() const
{
    // With an ackTimeout the reference calls back with (err, ...reply), as with timeout().
    return ackTimeout() >= 0 ? AckStyle::ErrorFirst : AckStyle::Plain;
}

bool QmlClient::send(const QString &event, const QVariantList &args, QObject *context,
                     AckCallback callback)
{
    if (!m_socket) {
        qmlWarning(this) << "emit(\"" << event << "\") without a url: nothing is sent";
        return true;
    }
    return callback ? m_socket->emitEvent(event, args, context, std::move(callback))
                    : m_socket->emitEvent(event, args);
}

bool QmlClient::sendForPromise(const QString &event, const QVariantList &args, QObject *context,
                               AckCallback callback)
{
    // With an ackTimeout, the callback path is told of both failures with the right message.
    if (!m_socket || ackTimeout() >= 0)
        return send(event, args, context, std::move(callback));
    return settleWithFuture(m_socket->emitWithAck(event, args), event, context,
                            std::move(callback));
}

void QmlClient::scheduleRestart()
{
    if (!m_complete || m_restartPending)
        return;
    // Several properties often change together (a binding, a form): one reconnection.
    m_restartPending = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_restartPending = false;
            stop();
            start();
        },
        Qt::QueuedConnection);
}

void QmlClient::start()
{
    if (m_socket || !m_url.isValid() || m_url.isEmpty())
        return;
    QVariantMap map = m_options;
    for (auto it = m_explicit.cbegin(); it != m_explicit.cend(); ++it)
        map.insert(it.key(), it.value());
    SocketOptions socketOptions;
    QString error;
    ManagerOptions options = ManagerOptions::fromVariantMap(map, &error, &socketOptions);
    if (error.isEmpty())
        error = options.validate();
    if (!error.isEmpty()) {
        qmlWarning(this) << error;
        setErrorString(error);
        return;
    }
    options.autoConnect = false;
    // As io(url): the URL's path names the namespace unless `namespace` does.
    QUrl base = m_url;
    const QString nsp = !m_nsp.isEmpty()         ? m_nsp
                        : m_url.path().isEmpty() ? QStringLiteral("/")
                                                 : m_url.path();
    base.setPath(QString());
    m_manager = new Manager(base, options, this);
    m_socket = m_manager->socket(nsp, socketOptions);

    connect(m_socket, &ClientSocket::stateChanged, this, &QmlClient::refreshState);
    connect(m_socket, &ClientSocket::connected, this, [this] {
        setErrorString(QString());
        refreshState();
        Q_EMIT connected();
    });
    connect(m_socket, &ClientSocket::disconnected, this,
            [this](const QString &reason, const QString &description) {
                refreshState();
                Q_EMIT disconnected(reason, description);
            });
    connect(m_socket, &ClientSocket::connectError, this,
            [this](const QString &message, const QVariant &data) {
                setErrorString(message);
                refreshState();
                Q_EMIT connectError(message, data);
            });
    connect(m_socket, &ClientSocket::eventReceived, this,
            [this](const QString &name, const QVariantList &args, const Ack &ack) {
                deliver(name, args, ack);
            });
    connect(m_manager, &Manager::transportNameChanged, this, &QmlClient::refreshState);
    connect(m_manager, &Manager::stateChanged, this, &QmlClient::refreshState);
    connect(m_manager, &Manager::reconnectAttempt, this, &QmlClient::reconnectAttempt);
    connect(m_manager, &Manager::reconnected, this, &QmlClient::reconnected);
    connect(m_manager, &Manager::reconnectFailed, this, &QmlClient::reconnectFailed);
    connect(m_manager, &Manager::reconnectError, this, [this](const QString &message) {
        setErrorString(message);
        Q_EMIT reconnectError(message);
    });
    Q_EMIT managerChanged();
    if (m_active)
        m_socket->connectToServer();
    refreshState();
}

void QmlClient::stop()
{
    if (!m_manager)
        return;
    // The socket says "io client disconnect" first, then its Manager goes.
    if (m_socket)
        m_socket->disconnectFromServer();
    QObject::disconnect(m_manager, nullptr, this, nullptr);
    if (m_socket)
        QObject::disconnect(m_socket, nullptr, this, nullptr);
    m_manager->close();
    m_manager->deleteLater();
    m_manager = nullptr;
    m_socket = nullptr;
    Q_EMIT managerChanged();
    refreshState();
}

void QmlClient::refreshState()
{
    Status status = Disconnected;
    QString id;
    bool recovered = false;
    QString transport;
    if (m_socket) {
        switch (m_socket->state()) {
        case ClientSocket::State::Connected:
            status = Connected;
            break;
        case ClientSocket::State::Connecting:
            // The socket stays subscribed (the reference's `active`) after its Manager gave
            // up: a refused connection without reconnection, or reconnectFailed. Nothing is
            // connecting then.
            if (m_manager && m_manager->state() != Manager::State::Closed)
                status = Connecting;
            break;
        case ClientSocket::State::Disconnected:
            break;
        }
        id = m_socket->id();
        recovered = m_socket->isRecovered();
    }
    if (m_manager && m_manager->state() == Manager::State::Open)
        transport = m_manager->transportName();
    const bool wasConnected = isConnected();
    if (m_status != status) {
        m_status = status;
        Q_EMIT statusChanged();
    }
    if (wasConnected != isConnected())
        Q_EMIT connectedChanged();
    if (m_id != id) {
        m_id = id;
        Q_EMIT idChanged();
    }
    if (m_recovered != recovered) {
        m_recovered = recovered;
        Q_EMIT recoveredChanged();
    }
    if (m_transport != transport) {
        m_transport = transport;
        Q_EMIT transportChanged();
    }
}

void QmlClient::setErrorString(const QString &error)
{
    if (m_errorString == error)
        return;
    m_errorString = error;
    Q_EMIT errorStringChanged();
}

} // namespace SocketIO
