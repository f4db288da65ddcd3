#include "clientoptions.h"

#include "client/engineclient_p.h"
#include "core/optionreader_p.h"
#include "engineio/engineoptions_p.h"
#include "websocket/clientconnection_p.h"

#include <QtCore/QFile>
#include <QtCore/QLoggingCategory>
#include <QtCore/QUrlQuery>

Q_DECLARE_LOGGING_CATEGORY(lcClient)

namespace SocketIO {

/*!
    \class SocketIO::ManagerOptions
    \inmodule SocketIO
    \brief The client options, with the names and defaults of socket.io-client 4.8.
*/

// The fields added after 1.0.
class ManagerOptionsExtension : public QSharedData
{
public:
    bool perMessageDeflate = true;
    PerMessageDeflateOptions perMessageDeflateOptions;
    qint64 maxPayload = WebSocket::DefaultMaxMessageSize;
    int requestTimeout = 0;
};

namespace {
ManagerOptionsExtension &extension(QSharedDataPointer<ManagerOptionsExtension> &d)
{
    if (!d)
        d = new ManagerOptionsExtension;
    return *d;
}
} // namespace

/*!
    Constructs the defaults.
*/
ManagerOptions::ManagerOptions() = default;

/*!
    Constructs a copy of \a other.
*/
ManagerOptions::ManagerOptions(const ManagerOptions &other) = default;

/*!
    Move-constructs from \a other.
*/
ManagerOptions::ManagerOptions(ManagerOptions &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
ManagerOptions &ManagerOptions::operator=(const ManagerOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
ManagerOptions &ManagerOptions::operator=(ManagerOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
ManagerOptions::~ManagerOptions() = default;

/*!
    \var ManagerOptions::path

    The server's path (default "/socket.io").
*/

/*!
    \var ManagerOptions::addTrailingSlash

    Whether a "/" is appended to path (default true).
*/

/*!
    \var ManagerOptions::query

    Query parameters added to every request.
*/

/*!
    \var ManagerOptions::extraHeaders

    Headers added to every HTTP request and WebSocket handshake.
*/

/*!
    \var ManagerOptions::withCredentials

    Whether cookies are kept and sent, as a browser does (for sticky sessions) (default false).
*/

/*!
    \var ManagerOptions::forceBase64

    Whether binary data is sent as base64 over polling (default false).
*/

/*!
    \var ManagerOptions::timestampRequests

    Whether a cache-busting parameter is added to requests; unset (the default): to polling
    requests only, as the reference does.
*/

/*!
    \var ManagerOptions::timestampParam

    The name of the cache-busting parameter (default "t").
*/

/*!
    \var ManagerOptions::transports

    The transports, tried in this order (default "polling", "websocket"); "webtransport" is
    refused, as Qt has no HTTP/3.
*/

/*!
    \var ManagerOptions::tryAllTransports

    Whether a transport that fails before the handshake gives way to the next one (default
    false).
*/

/*!
    \var ManagerOptions::upgrade

    Whether a polling connection upgrades to WebSocket (default true).
*/

/*!
    \var ManagerOptions::rememberUpgrade

    Whether, once a WebSocket connection succeeded, the next connections start with WebSocket
    (default false).
*/

/*!
    \var ManagerOptions::protocols

    The WebSocket sub-protocols.
*/

/*!
    \var ManagerOptions::tls

    TLS for https and wss URLs.
*/

/*!
    \var ManagerOptions::closeOnBeforeunload

    A browser option, read but without effect in Qt (default false).
*/

/*!
    \var ManagerOptions::autoUnref

    A Node option, read but without effect in Qt (default false).
*/

/*!
    \var ManagerOptions::reconnection

    Whether the Manager reconnects after losing the connection (default true).
*/

/*!
    \var ManagerOptions::reconnectionAttempts

    How many reconnection attempts are made before reconnectFailed() (default: no limit).
*/

/*!
    \var ManagerOptions::reconnectionDelay

    Milliseconds before the first reconnection attempt; it doubles with each attempt (default
    1000).
*/

/*!
    \var ManagerOptions::reconnectionDelayMax

    The longest delay between two attempts, in milliseconds (default 5000).
*/

/*!
    \var ManagerOptions::randomizationFactor

    How much each delay varies at random, between 0 and 1 (default 0.5).
*/

/*!
    \var ManagerOptions::timeout

    Milliseconds a connection attempt may take (default 20000); -1: no limit.
*/

/*!
    \var ManagerOptions::autoConnect

    Whether a socket connects as soon as it is created (default true).
*/

/*!
    \var ManagerOptions::parser

    The wire format of the packets (default Parser::defaultParser()); the server must use the
    same.
*/

/*!
    \var ManagerOptions::forceNew

    For io(): a new Manager instead of a cached one (default false).
*/

/*!
    \var ManagerOptions::multiplex

    For io(): whether sockets of several namespaces share one cached Manager (default true).
*/

/*!
    Returns whether WebSocket connections offer compression (permessage-deflate, RFC 7692);
    true by default, as engine.io-client does in Node.

    When it is on, the WebSocket transport runs on the library's own WebSocket client (the
    ws package's offer: \c {permessage-deflate; client_max_window_bits}) instead of QWebSocket,
    which has no extensions. If the server agrees, messages of at least
    perMessageDeflateOptions().threshold bytes (1024 by default) are sent compressed, unless
    sent with the compress flag off, and the server's compressed messages are inflated up to
    maxPayload() bytes. A server that does not agree gets uncompressed messages.

    \sa setPerMessageDeflate()
*/
bool ManagerOptions::perMessageDeflate() const
{
    return m_extension ? m_extension->perMessageDeflate : true;
}

/*!
    Turns WebSocket compression on or off (\a enabled); off, the WebSocket transport is
    QWebSocket and no extension is offered.
*/
void ManagerOptions::setPerMessageDeflate(bool enabled)
{
    extension(m_extension).perMessageDeflate = enabled;
}

/*!
    Returns the settings of WebSocket compression, used when perMessageDeflate() is true. The
    client reads them as ws's client does: the threshold, the windows and no-context-takeover
    flags it offers, and zlib's level and memory level of its compressor.
*/
PerMessageDeflateOptions ManagerOptions::perMessageDeflateOptions() const
{
    return m_extension ? m_extension->perMessageDeflateOptions : PerMessageDeflateOptions();
}

/*!
    Sets the settings of WebSocket compression to \a options.
*/
void ManagerOptions::setPerMessageDeflateOptions(const PerMessageDeflateOptions &options)
{
    extension(m_extension).perMessageDeflateOptions = options;
}

/*!
    Returns the largest message the WebSocket transport accepts, in bytes, counted after
    inflation: a larger one closes the connection with code 1009 ("transport error"). The
    default is 100 MiB, the ws package's maxPayload, which engine.io-client passes on in Node.
    QWebSocket applies it too when perMessageDeflate() is off.
*/
qint64 ManagerOptions::maxPayload() const
{
    return m_extension ? m_extension->maxPayload : WebSocket::DefaultMaxMessageSize;
}

/*!
    Sets the largest WebSocket message accepted to \a bytes.
*/
void ManagerOptions::setMaxPayload(qint64 bytes)
{
    extension(m_extension).maxPayload = bytes;
}

/*!
    Returns how long, in milliseconds, one polling request (a GET or a POST) may take before it
    fails, which closes the transport as a "transport error" (engine.io-client's requestTimeout,
    applied as QNetworkRequest's transfer timeout). 0, the default, sets no limit; a held GET
    is answered by the server within its pingInterval anyway.
*/
int ManagerOptions::requestTimeout() const
{
    return m_extension ? m_extension->requestTimeout : 0;
}

/*!
    Sets the polling request timeout to \a milliseconds (0: none).
*/
void ManagerOptions::setRequestTimeout(int milliseconds)
{
    extension(m_extension).requestTimeout = milliseconds;
}

/*!
    \struct TlsOptions

    \brief TLS for https and wss URLs, applied through QSslConfiguration (the Node client's ca,
    cert, key, passphrase, ciphers and rejectUnauthorized).
*/

// Empty until a field is added after 1.0.
class TlsOptionsExtension : public QSharedData
{
};

/*!
    Constructs the defaults.
*/
TlsOptions::TlsOptions() = default;

/*!
    Constructs a copy of \a other.
*/
TlsOptions::TlsOptions(const TlsOptions &other) = default;

/*!
    Move-constructs from \a other.
*/
TlsOptions::TlsOptions(TlsOptions &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
TlsOptions &TlsOptions::operator=(const TlsOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
TlsOptions &TlsOptions::operator=(TlsOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
TlsOptions::~TlsOptions() = default;

/*!
    \var TlsOptions::ca

    The trusted root certificates; empty: the system's.
*/

/*!
    \var TlsOptions::cert

    The client certificate chain.
*/

/*!
    \var TlsOptions::key

    The client's private key, PEM, possibly encrypted.
*/

/*!
    \var TlsOptions::passphrase

    The passphrase of an encrypted key.
*/

/*!
    \var TlsOptions::ciphers

    An OpenSSL cipher list, such as "ECDHE-RSA-AES128-GCM-SHA256:..."; empty: Qt's default.
*/

/*!
    \var TlsOptions::rejectUnauthorized

    Whether a server certificate that does not verify fails the connection (default true).
*/

/*!
    \struct SocketOptions

    \brief The options of one ClientSocket (socket.io-client's socket options).
*/

// Empty until a field is added after 1.0.
class SocketOptionsExtension : public QSharedData
{
};

/*!
    Constructs the defaults.
*/
SocketOptions::SocketOptions() = default;

/*!
    Constructs a copy of \a other.
*/
SocketOptions::SocketOptions(const SocketOptions &other) = default;

/*!
    Move-constructs from \a other.
*/
SocketOptions::SocketOptions(SocketOptions &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
SocketOptions &SocketOptions::operator=(const SocketOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
SocketOptions &SocketOptions::operator=(SocketOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
SocketOptions::~SocketOptions() = default;

/*!
    \var SocketOptions::auth

    Sent with the CONNECT packet; see authCallback.
*/

/*!
    \var SocketOptions::authCallback

    When set, asked for the auth object before each CONNECT instead of using auth: it calls \c
    done with it, at once or later.
*/

/*!
    \var SocketOptions::ackTimeout

    Milliseconds an acknowledgement may take by default (see ClientSocket::timeout()); -1 (the
    default): no limit.
*/

/*!
    \var SocketOptions::retries

    How many times an unacknowledged event is sent again (default 0); with retries, events are
    delivered at least once, in order.
*/

namespace {

// PEM text, or the path of a PEM file.
QByteArray pem(const QString &text)
{
    if (text.contains(QStringLiteral("-----BEGIN")))
        return text.toUtf8();
    QFile file(text);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

/*!
    Reads options from \a map with the reference's names, such as a parsed JSON object,
    including "force new connection" and the TLS names (ca, cert and key as PEM text or file
    paths). The socket options (auth, ackTimeout, retries) go to \a socketOptions when it is not
    null. Unknown names and wrong types are errors: \a error (if not null) gets the first one.
*/
ManagerOptions ManagerOptions::fromVariantMap(const QVariantMap &map, QString *error,
                                              SocketOptions *socketOptions)
{
    ManagerOptions o;
    QString problem;
    OptionReader r(map, &problem);
    static const QHash<QString, QString> notApplicable = {
        {QStringLiteral("agent"), QStringLiteral("Qt manages its own connections")},
        {QStringLiteral("pfx"), QStringLiteral("give cert and key as PEM instead")},
        {QStringLiteral("localAddress"), QStringLiteral("not supported by QNetworkAccessManager")},
        // Socket.IO 0.9's client options with no equivalent.
        {QStringLiteral("sync disconnect on unload"),
         QStringLiteral("there is no page to unload; closeOnBeforeunload is the browser's "
                        "modern equivalent")},
        {QStringLiteral("document"), QStringLiteral("there is no DOM document in Qt")},
        {QStringLiteral("flash policy port"),
         QStringLiteral("the \"flashsocket\" transport is not implemented")},
        {QStringLiteral("reopen delay"),
         QStringLiteral("the engine no longer reopens a transport by itself: reconnection "
                        "uses reconnectionDelay")},
        {QStringLiteral("manualFlush"),
         QStringLiteral("packets are always flushed as they are sent")},
        {QStringLiteral("host"), QStringLiteral("give the host in the URL")},
        {QStringLiteral("hostname"), QStringLiteral("give the host in the URL")},
        {QStringLiteral("useNativeTimers"),
         QStringLiteral("Qt's timers belong to the event loop; no test library replaces them")},
        {QStringLiteral("transportImplementations"),
         QStringLiteral("the transports are built in: name them in \"transports\"")},
        {QStringLiteral("transportOptions"),
         QStringLiteral("options per transport are not supported: extraHeaders and query apply "
                        "to both, and Manager::setOptions() changes them before an attempt")},
        // engine.io-client 3's names: this client speaks Engine.IO 4.
        {QStringLiteral("jsonp"),
         QStringLiteral("JSONP polling is Engine.IO 3's; this client polls with plain requests")},
        {QStringLiteral("forceJSONP"),
         QStringLiteral("JSONP polling is Engine.IO 3's; this client polls with plain requests")},
        {QStringLiteral("enablesXDR"),
         QStringLiteral("XDomainRequest was Internet Explorer's; there is none in Qt")},
        {QStringLiteral("onlyBinaryUpgrades"),
         QStringLiteral("an Engine.IO 3 option; with Engine.IO 4 every server takes binary")},
        {QStringLiteral("policyPort"),
         QStringLiteral("the \"flashsocket\" transport is not implemented")},
        {QStringLiteral("port"), QStringLiteral("give the port in the URL")},
    };
    // A 0.9 options object copied whole holds these with the value that asks for nothing:
    // it loads.
    static const QStringList inertWhenFalse = {QStringLiteral("sync disconnect on unload"),
                                               QStringLiteral("document"),
                                               QStringLiteral("manualFlush")};
    static const QHash<QString, bool ManagerOptions::*> flags = {
        {QStringLiteral("addTrailingSlash"), &ManagerOptions::addTrailingSlash},
        {QStringLiteral("withCredentials"), &ManagerOptions::withCredentials},
        {QStringLiteral("forceBase64"), &ManagerOptions::forceBase64},
        {QStringLiteral("tryAllTransports"), &ManagerOptions::tryAllTransports},
        {QStringLiteral("upgrade"), &ManagerOptions::upgrade},
        {QStringLiteral("rememberUpgrade"), &ManagerOptions::rememberUpgrade},
        {QStringLiteral("closeOnBeforeunload"), &ManagerOptions::closeOnBeforeunload},
        {QStringLiteral("autoUnref"), &ManagerOptions::autoUnref},
        {QStringLiteral("reconnection"), &ManagerOptions::reconnection},
        {QStringLiteral("autoConnect"), &ManagerOptions::autoConnect},
        {QStringLiteral("forceNew"), &ManagerOptions::forceNew},
        {QStringLiteral("force new connection"), &ManagerOptions::forceNew},
        // Socket.IO 0.9's names.
        {QStringLiteral("try multiple transports"), &ManagerOptions::tryAllTransports},
        {QStringLiteral("reconnect"), &ManagerOptions::reconnection},
        {QStringLiteral("auto connect"), &ManagerOptions::autoConnect},
        {QStringLiteral("multiplex"), &ManagerOptions::multiplex},
    };
    for (auto it = map.cbegin(); it != map.cend() && r.ok(); ++it) {
        const QString &key = it.key();
        const QVariant &v = it.value();
        if (inertWhenFalse.contains(key) &&
            (v.isNull() || (v.typeId() == QMetaType::Bool && !v.toBool()))) {
            continue;
        } else if (notApplicable.contains(key)) {
            r.failWith(QStringLiteral("option \"%1\" is not supported: %2")
                           .arg(key, notApplicable.value(key)));
        } else if (const auto flag = flags.constFind(key); flag != flags.cend()) {
            r.boolean(key, &(o.**flag));
        } else if (key == u"timestampRequests") {
            bool timestamp = false;
            if (r.boolean(key, &timestamp))
                o.timestampRequests = timestamp;
        } else if (key == u"rejectUnauthorized") {
            r.boolean(key, &o.tls.rejectUnauthorized);
        } else if (key == u"path") {
            r.string(key, &o.path);
        } else if (key == u"resource") {
            // 0.9's resource had no leading slash ("socket.io").
            if (r.string(key, &o.path) && !o.path.startsWith(u'/'))
                o.path.prepend(u'/');
        } else if (key == u"secure") {
            // 0.9 built the URL from host, port and secure; the URL says it all now.
            bool secure = false;
            if (r.boolean(key, &secure) && secure)
                r.failWith(QStringLiteral("option \"secure\" is not supported: give an "
                                          "https:// URL"));
        } else if (key == u"query" && v.typeId() == QMetaType::QString) {
            // 0.9 took a query string ("a=1&b=2").
            const auto items = QUrlQuery(v.toString()).queryItems(QUrl::FullyDecoded);
            for (const auto &[name, value] : items)
                o.query.insert(name, value);
        } else if (key == u"perMessageDeflate") {
            bool enabled = true;
            std::optional<PerMessageDeflateOptions> settings;
            if (!readPerMessageDeflate(v, &problem, &enabled, &settings)) {
                r.failWith(problem);
                break;
            }
            o.setPerMessageDeflate(enabled);
            if (settings)
                o.setPerMessageDeflateOptions(*settings);
        } else if (key == u"requestTimeout") {
            int milliseconds = 0;
            if (r.integer(key, &milliseconds, 0))
                o.setRequestTimeout(milliseconds);
        } else if (key == u"maxPayload") {
            qint64 bytes = 0;
            if (r.number(key, &bytes, 0))
                o.setMaxPayload(bytes);
        } else if (key == u"timestampParam") {
            r.string(key, &o.timestampParam);
        } else if (key == u"ciphers") {
            r.string(key, &o.tls.ciphers);
        } else if (key == u"query") {
            r.object(key, &o.query);
        } else if (key == u"extraHeaders") {
            QVariantMap headers;
            if (!r.object(key, &headers))
                break;
            OptionReader hr(headers, &problem, QStringLiteral("extraHeaders."));
            for (auto h = headers.cbegin(); h != headers.cend() && hr.ok(); ++h) {
                QString value;
                if (hr.string(h.key(), &value))
                    o.extraHeaders.insert(h.key().toUtf8(), value.toUtf8());
            }
            if (!hr.ok())
                break;
        } else if (key == u"transports") {
            // 0.9's names too: xhr-polling and jsonp-polling are polling; htmlfile and
            // flashsocket are dropped with a warning.
            QStringList names;
            if (!r.strings(key, &names))
                break;
            o.transports.clear();
            for (const QString &name : std::as_const(names)) {
                if (name == u"htmlfile" || name == u"flashsocket") {
                    qCWarning(lcClient,
                              "transport \"%s\" is not implemented: dropped from \"transports\"",
                              qUtf8Printable(name));
                    continue;
                }
                const QString modern = EngineIO::modernTransportName(name);
                if (!o.transports.contains(modern.isEmpty() ? name : modern))
                    o.transports.append(modern.isEmpty() ? name : modern);
            }
            if (o.transports.isEmpty())
                r.failWith(QStringLiteral("option \"transports\": no usable transport left "
                                          "(htmlfile and flashsocket are not implemented)"));
        } else if (key == u"protocols") {
            r.strings(key, &o.protocols);
        } else if (key == u"ca" || key == u"cert") {
            // PEM text or file paths, one or a list.
            QStringList items;
            if (v.typeId() == QMetaType::QString)
                items = {v.toString()};
            else if (!r.strings(key, &items))
                break;
            QList<QSslCertificate> certificates;
            for (const QString &item : std::as_const(items))
                certificates += QSslCertificate::fromData(pem(item), QSsl::Pem);
            if (certificates.isEmpty()) {
                r.fail(key, "PEM certificates (text or file paths)");
                break;
            }
            (key == u"ca" ? o.tls.ca : o.tls.cert) = certificates;
        } else if (key == u"key") {
            QString text;
            if (!r.string(key, &text))
                break;
            o.tls.key = pem(text);
            if (o.tls.key.isEmpty())
                r.fail(key, "a PEM key (text or file path)");
        } else if (key == u"passphrase") {
            QString passphrase;
            if (r.string(key, &passphrase))
                o.tls.passphrase = passphrase.toUtf8();
        } else if (key == u"timeout" && v.typeId() == QMetaType::Bool && !v.toBool()) {
            o.timeout = -1; // timeout: false
        } else if (key == u"timeout" || key == u"connect timeout") {
            r.saturatedInteger(key, &o.timeout);
        } else if (key == u"reconnectionAttempts" || key == u"max reconnection attempts") {
            // Infinity in the reference; huge numbers saturate.
            r.saturatedInteger(key, &o.reconnectionAttempts);
        } else if (key == u"reconnectionDelay" || key == u"reconnection delay") {
            r.saturatedInteger(key, &o.reconnectionDelay);
        } else if (key == u"reconnectionDelayMax" || key == u"reconnection limit") {
            r.saturatedInteger(key, &o.reconnectionDelayMax);
        } else if (key == u"randomizationFactor") {
            r.real(key, &o.randomizationFactor, 0, 1);
        } else if (key == u"parser") {
            QString name;
            if (r.oneOf(key, &name, {QStringLiteral("default"), QStringLiteral("msgpack")}))
                o.parser = Parser::byName(name);
        } else if (key == u"auth" || key == u"ackTimeout" || key == u"retries") {
            if (!socketOptions) {
                r.failWith(
                    QStringLiteral("option \"%1\" belongs to the socket (SocketOptions)").arg(key));
            } else if (key == u"auth") {
                r.object(key, &socketOptions->auth);
            } else if (key == u"ackTimeout") {
                r.integer(key, &socketOptions->ackTimeout, -1);
            } else {
                r.integer(key, &socketOptions->retries, 0);
            }
        } else {
            r.unknown(key);
        }
    }
    if (problem.isEmpty())
        problem = o.validate();
    if (error)
        *error = problem;
    return o;
}

} // namespace SocketIO
