#include "engineoptions.h"

#include "engineio/engineoptions_p.h"

#include "core/optionreader_p.h"
#include "http/compression_p.h"
#include "http/cookie_p.h"

#include <QtCore/QMetaType>

namespace SocketIO {

/*!
    \class SocketIO::EngineOptions
    \inmodule SocketIO
    \brief The Engine.IO server options, with the defaults of Node's engine.io 6.6.
*/

// The fields added after 1.0.
class EngineOptionsExtension : public QSharedData
{
public:
    PerMessageDeflateOptions perMessageDeflate;
};

/*!
    \class SocketIO::PerMessageDeflateOptions
    \inmodule SocketIO
    \brief The settings of WebSocket compression (permessage-deflate, RFC 7692).

    The options of the ws package's PerMessageDeflate, with engine.io 6's threshold of 1024
    bytes. They apply when EngineOptions::perMessageDeflate is true, on the "lean" WebSocket
    engine only (QWebSocketServer has no permessage-deflate). Each connection that agrees to
    compression keeps its own zlib streams (allocated on its first compressed message in each
    direction: about 256 KiB to compress with the default window and memory level, 40 KiB to
    inflate); setting serverNoContextTakeover makes each message compressed on its own.

    The client takes the same settings (ManagerOptions::perMessageDeflateOptions(), on by
    default as in engine.io-client), read as ws's client reads them: the no-context-takeover
    flags and windows below are what it offers, and the threshold, level and memLevel apply to
    its own messages.
*/

class PerMessageDeflateOptionsExtension : public QSharedData
{
public:
    int strategy = 0;
};

/*!
    Constructs the defaults of engine.io 6 and ws 8.
*/
PerMessageDeflateOptions::PerMessageDeflateOptions() = default;

/*!
    Constructs a copy of \a other.
*/
PerMessageDeflateOptions::PerMessageDeflateOptions(const PerMessageDeflateOptions &other) = default;

/*!
    Move-constructs from \a other.
*/
PerMessageDeflateOptions::PerMessageDeflateOptions(PerMessageDeflateOptions &&other) noexcept =
    default;

/*!
    Assigns \a other and returns a reference to this.
*/
PerMessageDeflateOptions &
PerMessageDeflateOptions::operator=(const PerMessageDeflateOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
PerMessageDeflateOptions &
PerMessageDeflateOptions::operator=(PerMessageDeflateOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
PerMessageDeflateOptions::~PerMessageDeflateOptions() = default;

/*!
    \var PerMessageDeflateOptions::threshold

    Messages (the Engine.IO packet as it goes in the frame) smaller than this many bytes are
    sent uncompressed (default 1024, engine.io's). A packet sent with the compress flag off
    (Socket::compress(false)) is never compressed.
*/

/*!
    \var PerMessageDeflateOptions::serverNoContextTakeover

    Whether the server compresses each message on its own (answers
    \c server_no_context_takeover). False (the default) is ws's unset value: the server keeps
    its context unless the client asks otherwise. For the client: whether it offers
    \c server_no_context_takeover.
*/

/*!
    \var PerMessageDeflateOptions::clientNoContextTakeover

    Whether the client is asked to compress each message on its own (answers
    \c client_no_context_takeover). False (the default) is ws's unset value. For the client:
    whether it offers \c client_no_context_takeover (a server may ask for it anyway).
*/

/*!
    \var PerMessageDeflateOptions::serverMaxWindowBits

    The window of the server's compressor, 8 to 15 (answered as \c server_max_window_bits;
    an offer asking for a smaller one is refused, as ws does); 0 (the default) leaves it to
    the client, else 15. zlib has no 8-bit raw window: 8 compresses with 9, as Node does.
    For the client: the \c server_max_window_bits it offers (0: none).
*/

/*!
    \var PerMessageDeflateOptions::clientMaxWindowBits

    The window the client must compress with, 8 to 15 (answered as
    \c client_max_window_bits; an offer without that parameter, or with a smaller value, is
    refused, as ws does); 0 (the default) leaves it to the client. For the client: the largest
    window it lets the server pick (\c client_max_window_bits=N in its offer); 0 offers the
    parameter without a value, any window.
*/

/*!
    \var PerMessageDeflateOptions::level

    zlib's compression level (ws's \c zlibDeflateOptions.level): -1 for zlib's default (6),
    0 to 9.
*/

/*!
    \var PerMessageDeflateOptions::memLevel

    zlib's memory level (ws's \c zlibDeflateOptions.memLevel), 1 to 9 (default 8).
*/

/*!
    \var PerMessageDeflateOptions::concurrencyLimit

    ws's limit on concurrent zlib jobs in Node's thread pool. Accepted (a positive number) and
    not applicable: compression here runs inline, on the thread of the connection.
*/

/*!
    Returns the settings of WebSocket compression, used when perMessageDeflate is true.
*/
PerMessageDeflateOptions EngineOptions::perMessageDeflateOptions() const
{
    return m_extension ? m_extension->perMessageDeflate : PerMessageDeflateOptions();
}

/*!
    Sets the settings of WebSocket compression to \a options.
*/
void EngineOptions::setPerMessageDeflateOptions(const PerMessageDeflateOptions &options)
{
    if (!m_extension)
        m_extension = new EngineOptionsExtension;
    m_extension->perMessageDeflate = options;
}

/*!
    Constructs the defaults.
*/
EngineOptions::EngineOptions() = default;

/*!
    Constructs a copy of \a other.
*/
EngineOptions::EngineOptions(const EngineOptions &other) = default;

/*!
    Move-constructs from \a other.
*/
EngineOptions::EngineOptions(EngineOptions &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
EngineOptions &EngineOptions::operator=(const EngineOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
EngineOptions &EngineOptions::operator=(EngineOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
EngineOptions::~EngineOptions() = default;

/*!
    \var EngineOptions::pingInterval

    Milliseconds between two heartbeats (default 25000).
*/

/*!
    \var EngineOptions::pingTimeout

    Milliseconds to wait for the client's answer to a heartbeat before closing with "ping
    timeout" (default 20000).
*/

/*!
    \var EngineOptions::upgradeTimeout

    Milliseconds an upgrade may take before it is cancelled (default 10000).
*/

/*!
    \var EngineOptions::maxHttpBufferSize

    The largest message, and the largest polling request body, in bytes (default 1000000);
    beyond it the session closes.
*/

/*!
    \var EngineOptions::maxWriteBufferSize

    Bytes a session may hold unsent, its queue and its transport's buffer (default 16 MiB): a
    client that does not read is closed with "transport error" past it. 0: no limit. Not a
    reference option (ws buffers without end).
*/

/*!
    \var EngineOptions::transports

    The transports allowed, of "polling" and "websocket" (default both).
*/

/*!
    \var EngineOptions::allowUpgrades

    Whether a polling session may upgrade to WebSocket (default true).
*/

/*!
    \var EngineOptions::perMessageDeflate

    Whether WebSocket connections may be compressed (permessage-deflate), with the settings of
    perMessageDeflateOptions(); default false. The "lean" engine only: refused with the "qt"
    wsEngine, as QWebSocketServer does not implement the extension.
*/

/*!
    \var EngineOptions::httpCompression

    Compression of polling responses (gzip or deflate, as the client accepts); unset: none. Set
    by default. Read from a map, an object takes engine.io's fields: \c threshold and the zlib
    options \c level, \c windowBits, \c memLevel, \c strategy and \c chunkSize
    (HttpCompressionOptions::zlib()).
*/

/*!
    \var EngineOptions::wsEngine

    The WebSocket engine: "lean", the built-in RFC 6455 engine (lighter on CPU and memory than
    QWebSocket, see bench/; the default in builds with SOCKETIO_LEAN_ENGINE, Linux only), or
    "qt", QWebSocketServer (the default elsewhere).
*/

/*!
    \var EngineOptions::initialPacket

    A message sent right after the handshake, when not empty.
*/

/*!
    \var EngineOptions::cookie

    The sticky-session cookie set on the handshake response; unset (the default): none.
*/

/*!
    \var EngineOptions::cors

    The CORS headers of the engine's responses; unset (the default): none.
*/

/*!
    \var EngineOptions::allowEIO3

    Whether Engine.IO protocol 3 clients (Socket.IO 2 clients) are accepted (default false).
*/

/*!
    \var EngineOptions::path

    The path the engine serves (default "/engine.io"; "/socket.io" under the Socket.IO Server).
*/

/*!
    \var EngineOptions::addTrailingSlash

    Whether a "/" is appended to path() when requests are matched (default true).
*/

/*!
    \var EngineOptions::destroyUpgrade

    Whether WebSocket upgrade requests for other paths are closed after destroyUpgradeTimeout
    (default true).
*/

/*!
    \var EngineOptions::destroyUpgradeTimeout

    Milliseconds after which an unhandled upgrade request is closed (default 1000).
*/

/*!
    \var EngineOptions::http

    The limits of the HTTP front.
*/

/*!
    Returns the path prefix requests are matched against: path with one trailing "/" when
    addTrailingSlash is set, such as "/engine.io/".
*/
QString EngineOptions::routePath() const
{
    QString route = path;
    while (route.endsWith(u'/'))
        route.chop(1);
    if (addTrailingSlash)
        route += u'/';
    return route;
}

/*!
    Returns an empty string when the options can be used, else why not (a non-positive interval,
    an unknown transport or wsEngine, perMessageDeflate with the "qt" wsEngine, ...).
*/
QString EngineOptions::validate() const
{
    if (pingInterval <= 0)
        return QStringLiteral("pingInterval must be a positive number of milliseconds");
    if (pingTimeout <= 0)
        return QStringLiteral("pingTimeout must be a positive number of milliseconds");
    if (upgradeTimeout < 0)
        return QStringLiteral("upgradeTimeout must not be negative");
    if (maxHttpBufferSize <= 0)
        return QStringLiteral("maxHttpBufferSize must be a positive number of bytes");
    if (maxWriteBufferSize < 0)
        return QStringLiteral("maxWriteBufferSize must not be negative (0: no limit)");
    if (transports.isEmpty())
        return QStringLiteral("transports must name at least one transport");
    for (const QString &transport : transports) {
        if (transport == u"webtransport") {
            return QStringLiteral("the \"webtransport\" transport is not supported: it needs "
                                  "HTTP/3, which Qt does not provide");
        }
        if (transport != u"polling" && transport != u"websocket")
            return QStringLiteral(
                       "unknown transport \"%1\" (expected \"polling\" or \"websocket\")")
                .arg(transport);
    }
#if SOCKETIO_LEAN_ENGINE
    if (wsEngine != u"qt" && wsEngine != u"lean") {
        return QStringLiteral("unknown wsEngine \"%1\": this build offers \"lean\" (the built-in "
                              "RFC 6455 engine) and \"qt\" (QWebSocketServer)")
            .arg(wsEngine);
    }
#else
    if (wsEngine == u"lean") {
        return QStringLiteral(
            "wsEngine \"lean\" is not in this build: the library was configured "
            "with SOCKETIO_LEAN_ENGINE=OFF (the lean engine needs Linux's epoll); "
            "use \"qt\" (QWebSocketServer)");
    }
    if (wsEngine != u"qt") {
        return QStringLiteral("unknown wsEngine \"%1\": this build offers \"qt\" "
                              "(QWebSocketServer)")
            .arg(wsEngine);
    }
#endif
    if (perMessageDeflate && wsEngine == u"qt") {
        return QStringLiteral("perMessageDeflate is not supported by the \"qt\" wsEngine: "
                              "QWebSocketServer does not implement the permessage-deflate "
                              "extension; use wsEngine \"lean\" or leave perMessageDeflate "
                              "false (the default)");
    }
    if (perMessageDeflate) {
        if (QString problem = validatePerMessageDeflate(perMessageDeflateOptions());
            !problem.isEmpty())
            return problem;
    }
    if (httpCompression && httpCompression->threshold < 0)
        return QStringLiteral("httpCompression.threshold must not be negative");
    if (httpCompression) {
        if (const QString zlib =
                Http::validateZlib(httpCompression->zlib(), QStringLiteral("httpCompression."));
            !zlib.isEmpty())
            return zlib;
    }
    if (cookie) {
        if (const QString problem = Http::validateCookie(*cookie); !problem.isEmpty())
            return problem;
    }
    if (cors && cors->origin == CorsOptions::Origin::Any && cors->credentials) {
        return QStringLiteral("cors: origin \"*\" cannot be combined with credentials: browsers "
                              "refuse it (\"The value of the 'Access-Control-Allow-Origin' "
                              "header in the response must not be the wildcard '*' when the "
                              "request's credentials mode is 'include'\"); list the allowed "
                              "origins, or use origin true to reflect the request's origin");
    }
    if (cors && cors->origin == CorsOptions::Origin::Callback && !cors->originCallback)
        return QStringLiteral("cors: origin is a callback but none was given");
    if (!path.startsWith(u'/'))
        return QStringLiteral("path must start with \"/\"");
    if (destroyUpgradeTimeout < 0)
        return QStringLiteral("destroyUpgradeTimeout must not be negative");
    if (http.maxHeaderSize <= 0)
        return QStringLiteral("http.maxHeaderSize must be positive");
    if (http.maxHeadersCount <= 0)
        return QStringLiteral("http.maxHeadersCount must be positive");
    if (http.headersTimeout < 0 || http.requestTimeout < 0 || http.keepAliveTimeout < 0)
        return QStringLiteral("http timeouts must not be negative");
    if (http.maxBodySize < 0)
        return QStringLiteral("http.maxBodySize must not be negative");
    if (http.maxConcurrentStreams() < 1)
        return QStringLiteral("http.maxConcurrentStreams must be positive");
#if !SOCKETIO_HTTP2
    if (http.http2())
        return QStringLiteral("http.http2 needs a build with HTTP/2 (SOCKETIO_HTTP2, nghttp2)");
#endif
    return {};
}

namespace {

bool isBool(const QVariant &value)
{
    return value.typeId() == QMetaType::Bool;
}

bool isMap(const QVariant &value)
{
    return value.typeId() == QMetaType::QVariantMap;
}

std::optional<CorsOptions> readCors(const QVariantMap &map, QString *error)
{
    static const QStringList known = {QStringLiteral("origin"),
                                      QStringLiteral("methods"),
                                      QStringLiteral("allowedHeaders"),
                                      QStringLiteral("exposedHeaders"),
                                      QStringLiteral("credentials"),
                                      QStringLiteral("maxAge"),
                                      QStringLiteral("preflightContinue"),
                                      QStringLiteral("optionsSuccessStatus")};
    OptionReader r(map, error, QStringLiteral("cors."));
    if (!r.known(known))
        return std::nullopt;
    CorsOptions cors;
    const auto origin = map.constFind(QStringLiteral("origin"));
    if (origin != map.cend()) {
        if (isBool(*origin)) {
            cors.origin =
                origin->toBool() ? CorsOptions::Origin::Reflect : CorsOptions::Origin::Disabled;
        } else if (origin->typeId() == QMetaType::QString && origin->toString() == u"*") {
            cors.origin = CorsOptions::Origin::Any;
        } else {
            bool ok = false;
            cors.origins = OptionReader::toStringList(*origin, &ok);
            if (!ok) {
                r.fail(QStringLiteral("origin"), "true, false, \"*\", an origin or a list");
                return std::nullopt;
            }
            cors.origin = CorsOptions::Origin::List;
        }
    }
    QStringList allowed;
    qint64 maxAge = -1;
    bool ok = r.strings(QStringLiteral("methods"), &cors.methods) &&
              r.strings(QStringLiteral("allowedHeaders"), &allowed) &&
              r.strings(QStringLiteral("exposedHeaders"), &cors.exposedHeaders) &&
              r.boolean(QStringLiteral("credentials"), &cors.credentials) &&
              r.number(QStringLiteral("maxAge"), &maxAge) &&
              r.boolean(QStringLiteral("preflightContinue"), &cors.preflightContinue) &&
              r.integer(QStringLiteral("optionsSuccessStatus"), &cors.optionsSuccessStatus);
    if (!ok)
        return std::nullopt;
    if (map.contains(QStringLiteral("allowedHeaders")))
        cors.allowedHeaders = allowed;
    if (maxAge >= 0)
        cors.maxAge = int(maxAge);
    return cors;
}

std::optional<CookieOptions> readCookie(const QVariantMap &map, QString *error)
{
    static const QStringList known = {QStringLiteral("name"),        QStringLiteral("path"),
                                      QStringLiteral("domain"),      QStringLiteral("httpOnly"),
                                      QStringLiteral("sameSite"),    QStringLiteral("secure"),
                                      QStringLiteral("maxAge"),      QStringLiteral("expires"),
                                      QStringLiteral("partitioned"), QStringLiteral("priority")};
    OptionReader r(map, error, QStringLiteral("cookie."));
    if (map.contains(QStringLiteral("encode"))) {
        r.failWith(QStringLiteral("option \"cookie.encode\" is a function: set it in code with "
                                  "CookieOptions::setEncode()"));
        return std::nullopt;
    }
    if (!r.known(known))
        return std::nullopt;
    CookieOptions cookie;
    // Like engine.io: `path: false` drops the Path attribute and makes httpOnly default off.
    const auto path = map.constFind(QStringLiteral("path"));
    if (path != map.cend() && isBool(*path) && !path->toBool()) {
        cookie.path.clear();
        cookie.httpOnly = false;
    } else if (!r.string(QStringLiteral("path"), &cookie.path)) {
        return std::nullopt;
    }
    const auto sameSite = map.constFind(QStringLiteral("sameSite"));
    if (sameSite != map.cend() && isBool(*sameSite)) {
        cookie.sameSite = sameSite->toBool() ? QStringLiteral("Strict") : QString();
    } else if (!r.string(QStringLiteral("sameSite"), &cookie.sameSite)) {
        return std::nullopt;
    }
    qint64 maxAge = std::numeric_limits<qint64>::min();
    QString expires;
    bool ok = r.string(QStringLiteral("name"), &cookie.name) &&
              r.string(QStringLiteral("domain"), &cookie.domain) &&
              r.boolean(QStringLiteral("httpOnly"), &cookie.httpOnly) &&
              r.boolean(QStringLiteral("secure"), &cookie.secure) &&
              r.number(QStringLiteral("maxAge"), &maxAge) &&
              r.string(QStringLiteral("expires"), &expires);
    bool partitioned = false;
    QString priority;
    if (!ok || !r.boolean(QStringLiteral("partitioned"), &partitioned) ||
        !r.string(QStringLiteral("priority"), &priority))
        return std::nullopt;
    cookie.setPartitioned(partitioned);
    if (!priority.isEmpty())
        cookie.setPriority(priority);
    if (maxAge != std::numeric_limits<qint64>::min())
        cookie.maxAge = maxAge;
    if (!expires.isEmpty()) {
        const QDateTime when = QDateTime::fromString(expires, Qt::ISODate);
        if (!when.isValid()) {
            r.fail(QStringLiteral("expires"), "an ISO 8601 date");
            return std::nullopt;
        }
        cookie.expires = when;
    }
    return cookie;
}
} // namespace

namespace {
// zlib's windowBits (8 to 15) and chunkSize (at least 64) of ws's zlib option objects, which
// the negotiation and the one-call compression make inert here.
bool readInertZlibOptions(OptionReader &reader)
{
    int windowBits = 15;
    int chunkSize = 16 * 1024;
    if (!reader.integer(QStringLiteral("windowBits"), &windowBits) ||
        !reader.integer(QStringLiteral("chunkSize"), &chunkSize))
        return false;
    if (windowBits < 8 || windowBits > 15)
        return reader.fail(QStringLiteral("windowBits"), "8 to 15");
    if (chunkSize < 64)
        return reader.fail(QStringLiteral("chunkSize"), "at least 64");
    return true;
}
} // namespace

/*!
    Returns zlib's compression strategy (ws's \c zlibDeflateOptions.strategy): 0 (the
    default), 1 filtered, 2 Huffman only, 3 RLE or 4 fixed.
*/
int PerMessageDeflateOptions::strategy() const
{
    return m_extension ? m_extension->strategy : 0;
}

/*!
    Sets zlib's compression strategy to \a strategy (0 to 4).
*/
void PerMessageDeflateOptions::setStrategy(int strategy)
{
    if (!m_extension)
        m_extension = new PerMessageDeflateOptionsExtension;
    m_extension->strategy = strategy;
}

bool readPerMessageDeflate(const QVariant &value, QString *error, bool *enabled,
                           std::optional<PerMessageDeflateOptions> *settings)
{
    // An object holds the ws package's PerMessageDeflate options.
    if (!isBool(value) && !isMap(value)) {
        OptionReader r({}, error);
        return r.fail(QStringLiteral("perMessageDeflate"), "true, false or an object");
    }
    *enabled = isMap(value) || value.toBool();
    if (!isMap(value))
        return true;
    const QVariantMap sub = value.toMap();
    PerMessageDeflateOptions read;
    OptionReader dr(sub, error, QStringLiteral("perMessageDeflate."));
    if (!dr.known({QStringLiteral("threshold"), QStringLiteral("serverNoContextTakeover"),
                   QStringLiteral("clientNoContextTakeover"), QStringLiteral("serverMaxWindowBits"),
                   QStringLiteral("clientMaxWindowBits"), QStringLiteral("zlibDeflateOptions"),
                   QStringLiteral("zlibInflateOptions"), QStringLiteral("concurrencyLimit")}) ||
        !dr.number(QStringLiteral("threshold"), &read.threshold) ||
        !dr.boolean(QStringLiteral("serverNoContextTakeover"), &read.serverNoContextTakeover) ||
        !dr.boolean(QStringLiteral("clientNoContextTakeover"), &read.clientNoContextTakeover) ||
        !dr.integer(QStringLiteral("serverMaxWindowBits"), &read.serverMaxWindowBits) ||
        !dr.integer(QStringLiteral("clientMaxWindowBits"), &read.clientMaxWindowBits) ||
        !dr.integer(QStringLiteral("concurrencyLimit"), &read.concurrencyLimit))
        return false;
    QVariantMap zlib;
    if (!dr.object(QStringLiteral("zlibDeflateOptions"), &zlib))
        return false;
    OptionReader zr(zlib, error, QStringLiteral("perMessageDeflate.zlibDeflateOptions."));
    // ws replaces windowBits with the negotiated one, and a message is compressed in one call
    // (chunkSize only sizes zlib's output steps): both are checked, and change nothing.
    int strategy = 0;
    if (!zr.known({QStringLiteral("level"), QStringLiteral("memLevel"), QStringLiteral("strategy"),
                   QStringLiteral("windowBits"), QStringLiteral("chunkSize")}) ||
        !zr.integer(QStringLiteral("level"), &read.level) ||
        !zr.integer(QStringLiteral("memLevel"), &read.memLevel) ||
        !zr.integer(QStringLiteral("strategy"), &strategy) || !readInertZlibOptions(zr))
        return false;
    read.setStrategy(strategy);
    // The same for inflation: the window comes from the negotiation, and inflate has no
    // memory level.
    QVariantMap inflate;
    if (!dr.object(QStringLiteral("zlibInflateOptions"), &inflate))
        return false;
    OptionReader ir(inflate, error, QStringLiteral("perMessageDeflate.zlibInflateOptions."));
    int memLevel = 8;
    if (!ir.known({QStringLiteral("windowBits"), QStringLiteral("chunkSize"),
                   QStringLiteral("memLevel")}) ||
        !ir.integer(QStringLiteral("memLevel"), &memLevel) || !readInertZlibOptions(ir))
        return false;
    if (memLevel < 1 || memLevel > 9)
        return ir.failWith(
            QStringLiteral("perMessageDeflate.zlibInflateOptions.memLevel must be 1 to 9"));
    *settings = read;
    return true;
}

WebSocket::DeflateConfig toDeflateConfig(const PerMessageDeflateOptions &options)
{
    WebSocket::DeflateConfig config;
    config.threshold = options.threshold;
    config.serverNoContextTakeover = options.serverNoContextTakeover;
    config.clientNoContextTakeover = options.clientNoContextTakeover;
    config.serverMaxWindowBits = options.serverMaxWindowBits;
    config.clientMaxWindowBits = options.clientMaxWindowBits;
    config.level = options.level;
    config.memLevel = options.memLevel;
    config.strategy = options.strategy();
    return config;
}

QString validatePerMessageDeflate(const PerMessageDeflateOptions &deflate)
{
    if (deflate.threshold < 0)
        return QStringLiteral("perMessageDeflate.threshold must not be negative");
    auto badWindow = [](int bits) { return bits != 0 && (bits < 8 || bits > 15); };
    if (badWindow(deflate.serverMaxWindowBits) || badWindow(deflate.clientMaxWindowBits))
        return QStringLiteral("perMessageDeflate window bits must be from 8 to 15 (0: unset)");
    if (deflate.level < -1 || deflate.level > 9)
        return QStringLiteral("perMessageDeflate.zlibDeflateOptions.level must be -1 to 9");
    if (deflate.memLevel < 1 || deflate.memLevel > 9)
        return QStringLiteral("perMessageDeflate.zlibDeflateOptions.memLevel must be 1 to 9");
    if (deflate.strategy() < 0 || deflate.strategy() > 4)
        return QStringLiteral("perMessageDeflate.zlibDeflateOptions.strategy must be 0 to 4");
    if (deflate.concurrencyLimit < 1)
        return QStringLiteral("perMessageDeflate.concurrencyLimit must be positive");
    return {};
}

/*!
    Reads options from \a map with the reference's option names (camelCase, as in its docs),
    such as a parsed JSON object; missing names keep their defaults. Unknown names and wrong
    types are errors: \a error (if not null) gets the first one, and the options are then
    incomplete.
*/
EngineOptions EngineOptions::fromVariantMap(const QVariantMap &map, QString *error)
{
    static const QStringList known = {QStringLiteral("pingInterval"),
                                      QStringLiteral("pingTimeout"),
                                      QStringLiteral("upgradeTimeout"),
                                      QStringLiteral("maxHttpBufferSize"),
                                      QStringLiteral("maxWriteBufferSize"),
                                      QStringLiteral("transports"),
                                      QStringLiteral("allowUpgrades"),
                                      QStringLiteral("perMessageDeflate"),
                                      QStringLiteral("httpCompression"),
                                      QStringLiteral("wsEngine"),
                                      QStringLiteral("initialPacket"),
                                      QStringLiteral("cookie"),
                                      QStringLiteral("cors"),
                                      QStringLiteral("allowEIO3"),
                                      QStringLiteral("path"),
                                      QStringLiteral("addTrailingSlash"),
                                      QStringLiteral("destroyUpgrade"),
                                      QStringLiteral("destroyUpgradeTimeout"),
                                      QStringLiteral("http"),
                                      QStringLiteral("allowRequest")};
    EngineOptions options;
    if (error)
        error->clear();
    OptionReader r(map, error);
    if (map.contains(QStringLiteral("allowRequest"))) {
        r.failWith(QStringLiteral("option \"allowRequest\" is a function: set it with "
                                  "EngineServer::setAllowRequest()"));
        return options;
    }
    if (!r.known(known))
        return options;
    QString initialPacket;
    bool ok = r.integer(QStringLiteral("pingInterval"), &options.pingInterval) &&
              r.integer(QStringLiteral("pingTimeout"), &options.pingTimeout) &&
              r.integer(QStringLiteral("upgradeTimeout"), &options.upgradeTimeout) &&
              r.number(QStringLiteral("maxHttpBufferSize"), &options.maxHttpBufferSize) &&
              r.number(QStringLiteral("maxWriteBufferSize"), &options.maxWriteBufferSize) &&
              r.strings(QStringLiteral("transports"), &options.transports) &&
              r.boolean(QStringLiteral("allowUpgrades"), &options.allowUpgrades) &&
              r.string(QStringLiteral("wsEngine"), &options.wsEngine) &&
              r.string(QStringLiteral("initialPacket"), &initialPacket) &&
              r.boolean(QStringLiteral("allowEIO3"), &options.allowEIO3) &&
              r.string(QStringLiteral("path"), &options.path) &&
              r.boolean(QStringLiteral("addTrailingSlash"), &options.addTrailingSlash) &&
              r.boolean(QStringLiteral("destroyUpgrade"), &options.destroyUpgrade) &&
              r.integer(QStringLiteral("destroyUpgradeTimeout"), &options.destroyUpgradeTimeout);
    if (!ok)
        return options;
    options.initialPacket = initialPacket.toUtf8();

    const auto deflate = map.constFind(QStringLiteral("perMessageDeflate"));
    if (deflate != map.cend()) {
        std::optional<PerMessageDeflateOptions> settings;
        if (!readPerMessageDeflate(*deflate, error, &options.perMessageDeflate, &settings))
            return options;
        if (settings)
            options.setPerMessageDeflateOptions(*settings);
    }

    const auto compression = map.constFind(QStringLiteral("httpCompression"));
    if (compression != map.cend()) {
        if (isBool(*compression)) {
            options.httpCompression =
                compression->toBool() ? std::optional(HttpCompressionOptions()) : std::nullopt;
        } else if (isMap(*compression)) {
            const QVariantMap sub = compression->toMap();
            HttpCompressionOptions value;
            ZlibOptions zlib;
            OptionReader cr(sub, error, QStringLiteral("httpCompression."));
            if (!cr.known({QStringLiteral("threshold"), QStringLiteral("level"),
                           QStringLiteral("windowBits"), QStringLiteral("memLevel"),
                           QStringLiteral("strategy"), QStringLiteral("chunkSize")}) ||
                !cr.number(QStringLiteral("threshold"), &value.threshold) ||
                !cr.integer(QStringLiteral("level"), &zlib.level, -1, 9) ||
                !cr.integer(QStringLiteral("windowBits"), &zlib.windowBits, 8, 15) ||
                !cr.integer(QStringLiteral("memLevel"), &zlib.memLevel, 1, 9) ||
                !cr.integer(QStringLiteral("strategy"), &zlib.strategy, 0, 4) ||
                !cr.integer(QStringLiteral("chunkSize"), &zlib.chunkSize, 64))
                return options;
            value.setZlib(zlib);
            options.httpCompression = value;
        } else {
            r.fail(QStringLiteral("httpCompression"), "true, false or an object");
            return options;
        }
    }

    const auto http = map.constFind(QStringLiteral("http"));
    if (http != map.cend()) {
        if (!isMap(*http)) {
            r.fail(QStringLiteral("http"), "an object");
            return options;
        }
        const QVariantMap sub = http->toMap();
        OptionReader hr(sub, error, QStringLiteral("http."));
        if (!hr.known({QStringLiteral("maxHeaderSize"), QStringLiteral("maxHeadersCount"),
                       QStringLiteral("headersTimeout"), QStringLiteral("requestTimeout"),
                       QStringLiteral("keepAliveTimeout"), QStringLiteral("maxBodySize"),
                       QStringLiteral("http2"), QStringLiteral("allowHTTP1"),
                       QStringLiteral("maxConcurrentStreams")}) ||
            !hr.integer(QStringLiteral("maxHeaderSize"), &options.http.maxHeaderSize) ||
            !hr.integer(QStringLiteral("maxHeadersCount"), &options.http.maxHeadersCount) ||
            !hr.integer(QStringLiteral("headersTimeout"), &options.http.headersTimeout) ||
            !hr.integer(QStringLiteral("requestTimeout"), &options.http.requestTimeout) ||
            !hr.integer(QStringLiteral("keepAliveTimeout"), &options.http.keepAliveTimeout) ||
            !hr.number(QStringLiteral("maxBodySize"), &options.http.maxBodySize))
            return options;
        bool http2 = options.http.http2();
        bool allowHTTP1 = options.http.allowHTTP1();
        int streams = options.http.maxConcurrentStreams();
        if (!hr.boolean(QStringLiteral("http2"), &http2) ||
            !hr.boolean(QStringLiteral("allowHTTP1"), &allowHTTP1) ||
            !hr.integer(QStringLiteral("maxConcurrentStreams"), &streams, 1))
            return options;
        if (http2 != options.http.http2())
            options.http.setHttp2(http2);
        if (allowHTTP1 != options.http.allowHTTP1())
            options.http.setAllowHTTP1(allowHTTP1);
        if (streams != options.http.maxConcurrentStreams())
            options.http.setMaxConcurrentStreams(streams);
    }

    const auto cookie = map.constFind(QStringLiteral("cookie"));
    if (cookie != map.cend()) {
        if (isBool(*cookie)) {
            options.cookie = cookie->toBool() ? std::optional(CookieOptions()) : std::nullopt;
        } else if (isMap(*cookie)) {
            options.cookie = readCookie(cookie->toMap(), error);
            if (!options.cookie)
                return options;
        } else {
            r.fail(QStringLiteral("cookie"), "true, false or an object");
            return options;
        }
    }

    const auto cors = map.constFind(QStringLiteral("cors"));
    if (cors != map.cend()) {
        // false: no CORS headers; true: the `cors` package's defaults.
        if (isBool(*cors)) {
            options.cors = cors->toBool() ? std::optional(CorsOptions()) : std::nullopt;
        } else if (isMap(*cors)) {
            options.cors = readCors(cors->toMap(), error);
            if (!options.cors)
                return options;
        } else {
            r.fail(QStringLiteral("cors"), "true, false or an object");
            return options;
        }
    }
    if (error && error->isEmpty())
        *error = options.validate();
    return options;
}

/*!
    Returns the options with the reference's names; cookie and cors are reported as booleans.
*/
QVariantMap EngineOptions::toVariantMap() const
{
    QVariantMap map;
    map.insert(QStringLiteral("pingInterval"), pingInterval);
    map.insert(QStringLiteral("pingTimeout"), pingTimeout);
    map.insert(QStringLiteral("upgradeTimeout"), upgradeTimeout);
    map.insert(QStringLiteral("maxHttpBufferSize"), maxHttpBufferSize);
    map.insert(QStringLiteral("maxWriteBufferSize"), maxWriteBufferSize);
    map.insert(QStringLiteral("transports"), transports);
    map.insert(QStringLiteral("allowUpgrades"), allowUpgrades);
    if (perMessageDeflate) {
        const PerMessageDeflateOptions deflate = perMessageDeflateOptions();
        map.insert(QStringLiteral("perMessageDeflate"),
                   QVariantMap{
                       {QStringLiteral("threshold"), deflate.threshold},
                       {QStringLiteral("serverNoContextTakeover"), deflate.serverNoContextTakeover},
                       {QStringLiteral("clientNoContextTakeover"), deflate.clientNoContextTakeover},
                       {QStringLiteral("serverMaxWindowBits"), deflate.serverMaxWindowBits},
                       {QStringLiteral("clientMaxWindowBits"), deflate.clientMaxWindowBits},
                       {QStringLiteral("zlibDeflateOptions"),
                        QVariantMap{{QStringLiteral("level"), deflate.level},
                                    {QStringLiteral("memLevel"), deflate.memLevel},
                                    {QStringLiteral("strategy"), deflate.strategy()}}},
                       {QStringLiteral("concurrencyLimit"), deflate.concurrencyLimit}});
    } else {
        map.insert(QStringLiteral("perMessageDeflate"), false);
    }
    if (httpCompression) {
        const ZlibOptions zlib = httpCompression->zlib();
        map.insert(QStringLiteral("httpCompression"),
                   QVariantMap{{QStringLiteral("threshold"), httpCompression->threshold},
                               {QStringLiteral("level"), zlib.level},
                               {QStringLiteral("windowBits"), zlib.windowBits},
                               {QStringLiteral("memLevel"), zlib.memLevel},
                               {QStringLiteral("strategy"), zlib.strategy},
                               {QStringLiteral("chunkSize"), zlib.chunkSize}});
    } else
        map.insert(QStringLiteral("httpCompression"), false);
    map.insert(QStringLiteral("wsEngine"), wsEngine);
    if (!initialPacket.isEmpty())
        map.insert(QStringLiteral("initialPacket"), QString::fromUtf8(initialPacket));
    map.insert(QStringLiteral("cookie"), bool(cookie));
    map.insert(QStringLiteral("cors"), bool(cors));
    map.insert(QStringLiteral("allowEIO3"), allowEIO3);
    map.insert(QStringLiteral("path"), path);
    map.insert(QStringLiteral("addTrailingSlash"), addTrailingSlash);
    map.insert(QStringLiteral("destroyUpgrade"), destroyUpgrade);
    map.insert(QStringLiteral("destroyUpgradeTimeout"), destroyUpgradeTimeout);
    map.insert(QStringLiteral("http"),
               QVariantMap{{QStringLiteral("maxHeaderSize"), http.maxHeaderSize},
                           {QStringLiteral("maxHeadersCount"), http.maxHeadersCount},
                           {QStringLiteral("headersTimeout"), http.headersTimeout},
                           {QStringLiteral("requestTimeout"), http.requestTimeout},
                           {QStringLiteral("keepAliveTimeout"), http.keepAliveTimeout},
                           {QStringLiteral("maxBodySize"), http.maxBodySize},
                           {QStringLiteral("http2"), http.http2()},
                           {QStringLiteral("allowHTTP1"), http.allowHTTP1()},
                           {QStringLiteral("maxConcurrentStreams"), http.maxConcurrentStreams()}});
    return map;
}

} // namespace SocketIO
