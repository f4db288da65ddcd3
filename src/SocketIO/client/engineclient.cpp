#include "client/engineclient_p.h"

#include "engineio/engineoptions_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QRandomGenerator>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkCookie>
#include <QtNetwork/QNetworkCookieJar>
#include <QtNetwork/QNetworkReply>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketHandshakeOptions>

Q_LOGGING_CATEGORY(lcClient, "socketio.client", QtWarningMsg)

namespace SocketIO::EngineIO {

bool EngineClient::priorWebSocketSuccess = false;

namespace {
// The reference's yeast-like cache buster: a short random base-64 string.
QString randomString()
{
    static const char alphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
    QString out;
    for (int i = 0; i < 8; ++i)
        out.append(QLatin1Char(alphabet[QRandomGenerator::global()->bounded(64)]));
    return out;
}
} // namespace

ClientTransport::ClientTransport(EngineClient *engine, const QString &sid)
    : QObject(engine)
    , m_engine(engine)
    , m_sid(sid)
{}

QUrl ClientTransport::url(const QString &scheme, bool timestamp) const
{
    const ManagerOptions &options = m_engine->options();
    QUrl url = m_engine->baseUrl();
    url.setScheme(scheme);
    QString path = options.path;
    if (!path.startsWith(u'/'))
        path.prepend(u'/');
    if (options.addTrailingSlash && !path.endsWith(u'/'))
        path.append(u'/');
    url.setPath(path);
    QUrlQuery query;
    for (auto it = options.query.cbegin(); it != options.query.cend(); ++it)
        query.addQueryItem(it.key(), it.value().toString());
    // A transport opened before the handshake (the first one) learns the sid from it.
    const QString sid = m_sid.isEmpty() ? m_engine->id() : m_sid;
    query.addQueryItem(QStringLiteral("EIO"), QStringLiteral("4"));
    query.addQueryItem(QStringLiteral("transport"), name());
    if (!sid.isEmpty())
        query.addQueryItem(QStringLiteral("sid"), sid);
    if (timestamp)
        query.addQueryItem(options.timestampParam, randomString());
    if (!m_engine->supportsBinary() && sid.isEmpty())
        query.addQueryItem(QStringLiteral("b64"), QStringLiteral("1"));
    url.setQuery(query);
    return url;
}

// --- polling ---------------------------------------------------------------------------------

QNetworkRequest PollingClientTransport::request(bool forPost) const
{
    const ManagerOptions &options = m_engine->options();
    const bool secure =
        m_engine->baseUrl().scheme() == u"https" || m_engine->baseUrl().scheme() == u"wss";
    QNetworkRequest request(url(secure ? QStringLiteral("https") : QStringLiteral("http"),
                                options.timestampRequests.value_or(true)));
    for (auto it = options.extraHeaders.cbegin(); it != options.extraHeaders.cend(); ++it)
        request.setRawHeader(it.key(), it.value());
    if (forPost)
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("text/plain;charset=UTF-8"));
    if (secure)
        request.setSslConfiguration(m_engine->sslConfiguration());
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute,
                         options.withCredentials ? QNetworkRequest::Automatic
                                                 : QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute,
                         options.withCredentials ? QNetworkRequest::Automatic
                                                 : QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    if (options.requestTimeout() > 0)
        request.setTransferTimeout(options.requestTimeout());
    return request;
}

void PollingClientTransport::open()
{
    m_open = true;
    poll();
}

void PollingClientTransport::poll()
{
    if (m_paused || !m_open)
        return;
    m_polling = true;
    QNetworkReply *reply = m_engine->network()->get(request(false));
    m_get = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onPollFinished(reply); });
}

void PollingClientTransport::onPollFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    if (m_get == reply)
        m_get = nullptr;
    if (!m_open)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError || status != 200) {
        Q_EMIT failed(QStringLiteral("xhr poll error"),
                      status ? QString::number(status) : reply->errorString());
        return;
    }
    const QByteArray body = reply->readAll();
    QPointer<PollingClientTransport> self(this);
    bool first = !m_writable;
    for (const Packet &packet : decodePayload(body)) {
        if (!self || !m_open)
            return;
        if (first && packet.type == PacketType::Open) {
            m_writable = true;
            first = false;
            Q_EMIT opened();
        }
        if (packet.type == PacketType::Close) {
            m_open = false;
            Q_EMIT closed(QStringLiteral("transport closed by the server"));
            return;
        }
        Q_EMIT packetReceived(packet);
    }
    if (!self)
        return;
    m_polling = false;
    Q_EMIT pollCompleted();
    if (self && m_open && !m_paused)
        poll();
}

void PollingClientTransport::send(const QList<Packet> &packets)
{
    m_writable = false;
    QNetworkReply *reply = m_engine->network()->post(request(true), encodePayload(packets));
    m_post = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        if (!m_open)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() != QNetworkReply::NoError || status != 200) {
            Q_EMIT failed(QStringLiteral("xhr post error"),
                          status
                              ? QString::number(status) + u' ' + QString::fromUtf8(reply->readAll())
                              : reply->errorString());
            return;
        }
        m_writable = true;
        Q_EMIT drained();
    });
}

void PollingClientTransport::pause(std::function<void()> paused)
{
    m_paused = true;
    auto pending = std::make_shared<int>(0);
    auto done = [pending, paused] {
        if (--*pending == 0)
            paused();
    };
    if (m_polling) {
        ++*pending;
        connect(this, &PollingClientTransport::pollCompleted, this, done, Qt::SingleShotConnection);
    }
    if (!m_writable && m_post) {
        ++*pending;
        connect(this, &ClientTransport::drained, this, done, Qt::SingleShotConnection);
    }
    if (*pending == 0)
        paused();
}

void PollingClientTransport::close()
{
    if (!m_open)
        return;
    // Tell the server, then stop.
    send({Packet::text(PacketType::Close)});
    m_open = false;
    if (m_get)
        m_get->abort();
}

// --- WebSocket -------------------------------------------------------------------------------

QNetworkRequest WebSocketTransportBase::handshakeRequest() const
{
    const ManagerOptions &options = m_engine->options();
    const bool secure =
        m_engine->baseUrl().scheme() == u"https" || m_engine->baseUrl().scheme() == u"wss";
    QNetworkRequest request(url(secure ? QStringLiteral("wss") : QStringLiteral("ws"),
                                options.timestampRequests.value_or(false)));
    for (auto it = options.extraHeaders.cbegin(); it != options.extraHeaders.cend(); ++it)
        request.setRawHeader(it.key(), it.value());
    if (options.withCredentials && m_engine->network()->cookieJar()) {
        QUrl httpUrl = request.url();
        httpUrl.setScheme(secure ? QStringLiteral("https") : QStringLiteral("http"));
        QByteArrayList cookies;
        for (const QNetworkCookie &cookie :
             m_engine->network()->cookieJar()->cookiesForUrl(httpUrl))
            cookies.append(cookie.toRawForm(QNetworkCookie::NameAndValueOnly));
        if (!cookies.isEmpty())
            request.setRawHeader("Cookie", cookies.join("; "));
    }
    return request;
}

void WebSocketTransportBase::send(const QList<Packet> &packets)
{
    m_writable = false;
    const bool binary = m_engine->supportsBinary();
    for (const Packet &packet : packets) {
        bool binaryFrame = false;
        const QByteArray frame = encodePacket(packet, binary, &binaryFrame);
        writeMessage(frame, binaryFrame, packet.compress);
    }
    // Writable again once this turn of the event loop is over, as the reference does.
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (m_closing)
                return;
            m_writable = true;
            Q_EMIT drained();
        },
        Qt::QueuedConnection);
}

WebSocketClientTransport::WebSocketClientTransport(EngineClient *engine, const QString &sid)
    : WebSocketTransportBase(engine, sid)
    , m_socket(new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this))
{
    m_socket->setMaxAllowedIncomingMessageSize(quint64(engine->options().maxPayload()));
    connect(m_socket, &QWebSocket::connected, this, [this] {
        m_everOpened = true;
        m_writable = true;
        Q_EMIT opened();
    });
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        Q_EMIT packetReceived(decodePacket(text.toUtf8(), false));
    });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this,
            [this](const QByteArray &data) { Q_EMIT packetReceived(decodePacket(data, true)); });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        if (m_closing)
            return;
        m_closing = true;
        // A connection refused arrives as disconnected() before error() in Qt 6.4: for the
        // reference it is a "websocket error", not a close.
        if (!m_writable && !m_everOpened) {
            Q_EMIT failed(QStringLiteral("websocket error"), m_socket->errorString());
            return;
        }
        m_writable = false;
        Q_EMIT closed(QStringLiteral("websocket connection closed"));
    });
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError) {
                if (m_closing)
                    return;
                if (m_socket->state() == QAbstractSocket::ConnectedState &&
                    m_socket->error() == QAbstractSocket::RemoteHostClosedError)
                    return; // disconnected() follows
                m_closing = true;
                m_writable = false;
                Q_EMIT failed(QStringLiteral("websocket error"), m_socket->errorString());
            });
    connect(m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        if (!m_engine->options().tls.rejectUnauthorized)
            m_socket->ignoreSslErrors(errors);
    });
}

WebSocketClientTransport::~WebSocketClientTransport()
{
    m_socket->disconnect(this);
    m_socket->abort();
}

void WebSocketClientTransport::open()
{
    const QNetworkRequest request = handshakeRequest();
    if (request.url().scheme() == u"wss")
        m_socket->setSslConfiguration(m_engine->sslConfiguration());
    QWebSocketHandshakeOptions handshake;
    handshake.setSubprotocols(m_engine->options().protocols);
    m_socket->open(request, handshake);
}

void WebSocketClientTransport::close()
{
    if (m_closing)
        return;
    m_closing = true;
    m_writable = false;
    m_socket->close();
}

void WebSocketClientTransport::writeMessage(const QByteArray &data, bool binary, bool)
{
    if (binary)
        m_socket->sendBinaryMessage(data);
    else
        m_socket->sendTextMessage(QString::fromUtf8(data));
}

LeanWebSocketClientTransport::LeanWebSocketClientTransport(EngineClient *engine, const QString &sid)
    : WebSocketTransportBase(engine, sid)
    , m_connection(new WebSocket::ClientConnection(this))
{
    using WebSocket::ClientConnection;
    connect(m_connection, &ClientConnection::connected, this, [this] {
        m_writable = true;
        Q_EMIT opened();
    });
    connect(m_connection, &ClientConnection::messageReceived, this,
            [this](const QByteArray &data, bool binary) {
                Q_EMIT packetReceived(decodePacket(data, binary));
            });
    connect(m_connection, &ClientConnection::disconnected, this, [this] {
        if (m_closing)
            return;
        m_closing = true;
        m_writable = false;
        Q_EMIT closed(QStringLiteral("websocket connection closed"));
    });
    // A failed handshake, or a server breaking the protocol (the reference's 'error' event).
    connect(m_connection, &ClientConnection::errorOccurred, this,
            [this](const QString &description) {
                if (m_closing)
                    return;
                m_closing = true;
                m_writable = false;
                Q_EMIT failed(QStringLiteral("websocket error"), description);
            });
}

void LeanWebSocketClientTransport::open()
{
    const ManagerOptions &options = m_engine->options();
    const QNetworkRequest request = handshakeRequest();
    WebSocket::ClientConnection::Options o;
    o.url = request.url();
    for (const QByteArray &name : request.rawHeaderList())
        o.headers.append({name, request.rawHeader(name)});
    o.subprotocols = options.protocols;
    o.ssl = m_engine->sslConfiguration();
    o.ignoreSslErrors = !options.tls.rejectUnauthorized;
    o.deflate = toDeflateConfig(options.perMessageDeflateOptions());
    o.maxMessageSize = options.maxPayload();
    m_connection->open(o);
}

void LeanWebSocketClientTransport::close()
{
    if (m_closing)
        return;
    m_closing = true;
    m_writable = false;
    m_connection->close();
}

void LeanWebSocketClientTransport::writeMessage(const QByteArray &data, bool binary, bool compress)
{
    m_connection->send(data, binary, compress);
}

// --- the session -----------------------------------------------------------------------------

namespace {

// A PKCS#8 PEM ("BEGIN PRIVATE KEY") does not name its algorithm, and QSslKey needs one: the
// first that loads is the key's.
QSslKey privateKey(const TlsOptions &tls)
{
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa, QSsl::Dh}) {
        QSslKey key(tls.key, algorithm, QSsl::Pem, QSsl::PrivateKey, tls.passphrase);
        if (!key.isNull())
            return key;
    }
    return {};
}

} // namespace

EngineClient::EngineClient(const QUrl &url, const ManagerOptions &options,
                           QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_url(url)
    , m_options(options)
    , m_network(network)
    , m_ssl(QSslConfiguration::defaultConfiguration())
{
    const TlsOptions &tls = options.tls;
    if (!tls.ca.isEmpty())
        m_ssl.setCaCertificates(tls.ca);
    if (!tls.cert.isEmpty())
        m_ssl.setLocalCertificateChain(tls.cert);
    if (!tls.key.isEmpty()) {
        const QSslKey key = privateKey(tls);
        if (key.isNull())
            m_keyError = QStringLiteral("tls.key is not a PEM private key (RSA, EC, DSA or DH), "
                                        "or its passphrase is wrong");
        else
            m_ssl.setPrivateKey(key);
    }
    if (!tls.ciphers.isEmpty()) {
        QList<QSslCipher> ciphers;
        for (const QString &name : tls.ciphers.split(u':', Qt::SkipEmptyParts)) {
            const QSslCipher cipher(name);
            if (!cipher.isNull())
                ciphers.append(cipher);
        }
        if (!ciphers.isEmpty())
            m_ssl.setCiphers(ciphers);
    }
    if (!tls.rejectUnauthorized)
        m_ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_pingTimer.setSingleShot(true);
    m_pingTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_pingTimer, &QTimer::timeout, this,
            [this] { onClose(QStringLiteral("ping timeout")); });
}

EngineClient::~EngineClient() = default;

QString EngineClient::transportName() const
{
    return m_transport ? m_transport->name() : QString();
}

bool EngineClient::isTransportWritable() const
{
    return m_transport && m_transport->isWritable();
}

bool EngineClient::hasPingExpired()
{
    if (m_state != State::Open)
        return true;
    if (m_sincePing.isValid() && m_sincePing.elapsed() > m_pingInterval + m_pingTimeout) {
        QMetaObject::invokeMethod(
            this, [this] { onClose(QStringLiteral("ping timeout")); }, Qt::QueuedConnection);
        return true;
    }
    return false;
}

ClientTransport *EngineClient::createTransport(const QString &name)
{
    if (name == u"websocket" && m_options.perMessageDeflate())
        return new LeanWebSocketClientTransport(this, m_id);
    if (name == u"websocket")
        return new WebSocketClientTransport(this, m_id);
    return new PollingClientTransport(this, m_id);
}

void EngineClient::open()
{
    if (m_state != State::Closed)
        return;
    QStringList transports;
    for (const QString &t : m_options.transports) {
        const QString name = modernTransportName(t);
        if (!name.isEmpty() && !transports.contains(name))
            transports.append(name);
    }
    QString error = m_options.validate();
    if (error.isEmpty())
        error = m_keyError;
    if (error.isEmpty() && transports.isEmpty())
        error = QStringLiteral("No transports available");
    if (!error.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this, error] { onError(error, {}); }, Qt::QueuedConnection);
        return;
    }
    QString first = transports.first();
    if (m_options.rememberUpgrade && priorWebSocketSuccess && transports.contains(u"websocket"))
        first = QStringLiteral("websocket");
    m_remainingTransports = transports;
    m_remainingTransports.removeAll(first);
    m_state = State::Opening;
    m_id.clear();
    setTransport(createTransport(first));
    m_transport->open();
}

void EngineClient::setTransport(ClientTransport *transport)
{
    if (m_transport) {
        m_transport->disconnect(this);
        m_transport->deleteLater();
    }
    m_transport = transport;
    connect(transport, &ClientTransport::packetReceived, this, &EngineClient::onPacket);
    connect(transport, &ClientTransport::drained, this, [this] {
        m_writeBuffer.remove(0, qMin(m_inFlight, m_writeBuffer.size()));
        m_inFlight = 0;
        if (m_writeBuffer.isEmpty() && m_state == State::Closing)
            continueClose();
        else
            flush();
    });
    connect(transport, &ClientTransport::failed, this, &EngineClient::onError);
    connect(transport, &ClientTransport::closed, this, [this](const QString &description) {
        onClose(QStringLiteral("transport close"), description);
    });
}

void EngineClient::onPacket(const Packet &packet)
{
    if (m_state != State::Opening && m_state != State::Open && m_state != State::Closing)
        return;
    switch (packet.type) {
    case PacketType::Open:
        onHandshake(packet.data);
        break;
    case PacketType::Ping:
        resetPingTimeout();
        m_writeBuffer.append(Packet::text(PacketType::Pong));
        flush();
        Q_EMIT pinged();
        break;
    case PacketType::Message:
        Q_EMIT messageReceived(packet.data, packet.binary);
        break;
    case PacketType::Error:
        onError(QStringLiteral("server error"), QString::fromUtf8(packet.data));
        break;
    default:
        break;
    }
}

void EngineClient::onHandshake(const QByteArray &json)
{
    const QJsonObject data = QJsonDocument::fromJson(json).object();
    m_id = data.value(QStringLiteral("sid")).toString();
    if (m_id.isEmpty()) {
        onError(QStringLiteral("invalid handshake"), QString::fromUtf8(json));
        return;
    }
    m_upgrades.clear();
    for (const QJsonValue &upgrade : data.value(QStringLiteral("upgrades")).toArray()) {
        if (m_options.transports.contains(upgrade.toString()))
            m_upgrades.append(upgrade.toString());
    }
    m_pingInterval = data.value(QStringLiteral("pingInterval")).toInt(25000);
    m_pingTimeout = data.value(QStringLiteral("pingTimeout")).toInt(20000);
    m_maxPayload = data.value(QStringLiteral("maxPayload")).toInteger(0);
    m_state = State::Open;
    priorWebSocketSuccess = m_transport->name() == u"websocket";
    resetPingTimeout();
    Q_EMIT opened();
    flush();
    if (m_state == State::Open && m_options.upgrade && m_transport->name() == u"polling") {
        for (const QString &upgrade : std::as_const(m_upgrades))
            probe(upgrade);
    }
}

void EngineClient::resetPingTimeout()
{
    m_sincePing.start();
    m_pingTimer.start(m_pingInterval + m_pingTimeout);
}

void EngineClient::sendMessage(const QByteArray &data, bool binary, bool compress)
{
    if (m_state == State::Closing || m_state == State::Closed)
        return;
    Packet packet = binary ? Packet::bytes(data) : Packet::text(PacketType::Message, data);
    packet.compress = compress;
    m_writeBuffer.append(packet);
    flush();
}

void EngineClient::flush()
{
    if (m_state == State::Closed || !m_transport || !m_transport->isWritable() || m_upgrading ||
        m_writeBuffer.isEmpty() || m_inFlight)
        return;
    // Over polling, a request carries no more than maxPayload bytes (the first packet goes
    // whatever its size).
    qsizetype count = m_writeBuffer.size();
    if (m_transport->name() == u"polling" && m_maxPayload > 0) {
        qint64 size = 0;
        for (qsizetype i = 0; i < m_writeBuffer.size(); ++i) {
            const Packet &p = m_writeBuffer.at(i);
            size += (p.binary ? (p.data.size() * 4 + 2) / 3 + 1 : p.data.size() + 1) + (i ? 1 : 0);
            if (i && size > m_maxPayload) {
                count = i;
                break;
            }
        }
    }
    m_inFlight = count;
    m_transport->send(m_writeBuffer.first(count));
}

void EngineClient::probe(const QString &name)
{
    ClientTransport *candidate = createTransport(name);
    m_probe = candidate;
    QPointer<ClientTransport> guard(candidate);
    auto fail = [this, guard](const QString &why) {
        qCDebug(lcClient) << "probe failed:" << why;
        if (guard) {
            guard->disconnect(this);
            guard->close();
            guard->deleteLater();
        }
        m_upgrading = false;
        if (m_probe == guard)
            m_probe = nullptr;
        flush();
        continueClose();
    };
    connect(candidate, &ClientTransport::opened, this,
            [candidate] { candidate->send({Packet::text(PacketType::Ping, "probe")}); });
    connect(candidate, &ClientTransport::packetReceived, this,
            [this, candidate, fail, guard](const Packet &packet) {
                if (packet.type != PacketType::Pong || packet.data != "probe") {
                    fail(QStringLiteral("probe error"));
                    return;
                }
                m_upgrading = true;
                Q_EMIT upgrading(candidate->name());
                priorWebSocketSuccess = candidate->name() == u"websocket";
                m_transport->pause([this, guard, fail] {
                    if (!guard || m_state == State::Closed) {
                        fail(QStringLiteral("closed during the upgrade"));
                        return;
                    }
                    guard->disconnect(this);
                    m_probe = nullptr;
                    ClientTransport *old = m_transport;
                    old->disconnect(this);
                    m_transport = nullptr;
                    old->deleteLater();
                    setTransport(guard);
                    guard->send({Packet::text(PacketType::Upgrade)});
                    m_upgrading = false;
                    Q_EMIT upgraded(guard->name());
                    // The upgrade packet went out on its own; what was queued follows.
                    m_inFlight = 0;
                    flush();
                    continueClose();
                });
            });
    connect(candidate, &ClientTransport::failed, this,
            [fail](const QString &message) { fail(message); });
    connect(candidate, &ClientTransport::closed, this,
            [fail] { fail(QStringLiteral("transport closed")); });
    candidate->open();
}

void EngineClient::close()
{
    if (m_state != State::Opening && m_state != State::Open)
        return;
    m_state = State::Closing;
    // Like the reference: what is queued goes first, and an upgrade under way finishes (or
    // fails) before the close.
    if (!m_writeBuffer.isEmpty() && m_transport)
        return; // continued once drained
    if (m_upgrading)
        return; // continued when the probe ends
    finishClose();
}

void EngineClient::continueClose()
{
    if (m_state != State::Closing || m_upgrading || (!m_writeBuffer.isEmpty() && m_transport))
        return;
    finishClose();
}

void EngineClient::finishClose()
{
    ClientTransport *transport = m_transport;
    onClose(QStringLiteral("forced close"));
    if (transport)
        transport->close();
}

void EngineClient::onError(const QString &message, const QString &description)
{
    qCDebug(lcClient) << "transport error:" << message << description;
    priorWebSocketSuccess = false;
    // tryAllTransports: a transport that fails before the handshake gives way to the next.
    if (m_options.tryAllTransports && m_state == State::Opening &&
        !m_remainingTransports.isEmpty()) {
        const QString next = m_remainingTransports.takeFirst();
        setTransport(createTransport(next));
        m_transport->open();
        return;
    }
    Q_EMIT errorOccurred(description.isEmpty() ? message : message + u": " + description);
    onClose(QStringLiteral("transport error"), message);
}

void EngineClient::onClose(const QString &reason, const QString &description)
{
    if (m_state == State::Closed)
        return;
    m_pingTimer.stop();
    if (m_probe) {
        m_probe->disconnect(this);
        m_probe->close();
        m_probe->deleteLater();
        m_probe = nullptr;
    }
    if (m_transport) {
        ClientTransport *transport = m_transport;
        transport->disconnect(this);
        m_transport = nullptr;
        if (reason != u"forced close")
            transport->close();
        transport->deleteLater();
    }
    m_state = State::Closed;
    m_id.clear();
    m_writeBuffer.clear();
    m_inFlight = 0;
    m_upgrading = false;
    Q_EMIT closed(reason, description);
}

} // namespace SocketIO::EngineIO
