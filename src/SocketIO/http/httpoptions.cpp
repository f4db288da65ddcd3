#include "httpoptions.h"

namespace SocketIO {

/*!
    \struct CorsOptions

    \brief Cross-origin resource sharing, with the semantics and defaults of the \c cors npm
    package that engine.io uses.
*/

// Empty until a field is added after 1.0.
class CorsOptionsExtension : public QSharedData
{
};

/*!
    Constructs the defaults.
*/
CorsOptions::CorsOptions() = default;

/*!
    Constructs a copy of \a other.
*/
CorsOptions::CorsOptions(const CorsOptions &other) = default;

/*!
    Move-constructs from \a other.
*/
CorsOptions::CorsOptions(CorsOptions &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
CorsOptions &CorsOptions::operator=(const CorsOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
CorsOptions &CorsOptions::operator=(CorsOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
CorsOptions::~CorsOptions() = default;

/*!
    \enum CorsOptions::Origin

    Which origins are allowed, the forms of the \c cors package's \c origin option.
*/

/*!
    \var CorsOptions::Any

    "*": every origin (the default).
*/

/*!
    \var CorsOptions::Reflect

    true: the request's Origin is echoed.
*/

/*!
    \var CorsOptions::Disabled

    false: no CORS headers.
*/

/*!
    \var CorsOptions::List

    origins and originPatterns: an allowed origin is echoed, others get no headers; a single
    origin without patterns is sent as it is, like a string in \c cors.
*/

/*!
    \var CorsOptions::Callback

    originCallback decides per request.
*/

/*!
    \typedef CorsOptions::OriginDecision

    The answer of an origin callback: a non-empty \a error fails the request with 400 (as
    engine.io's middleware failure does); \a allow echoes the origin, refusing adds no headers.
*/

/*!
    \typedef CorsOptions::OriginCallback

    Decides on the request's \a origin by calling \a decide, at once or later.
*/

/*!
    \var CorsOptions::origin

    Which origins are allowed (default Any).
*/

/*!
    \var CorsOptions::origins

    The allowed origins, with Origin::List.
*/

/*!
    \var CorsOptions::originPatterns

    Patterns of allowed origins, with Origin::List.
*/

/*!
    \var CorsOptions::originCallback

    Decides per request, with Origin::Callback.
*/

/*!
    \var CorsOptions::methods

    Access-Control-Allow-Methods of a preflight (default GET, HEAD, PUT, PATCH, POST, DELETE).
*/

/*!
    \var CorsOptions::allowedHeaders

    Access-Control-Allow-Headers of a preflight; unset: the preflight's
    Access-Control-Request-Headers are reflected.
*/

/*!
    \var CorsOptions::exposedHeaders

    Access-Control-Expose-Headers; empty: none.
*/

/*!
    \var CorsOptions::credentials

    Whether Access-Control-Allow-Credentials: true is sent (default false).
*/

/*!
    \var CorsOptions::maxAge

    Access-Control-Max-Age of a preflight, in seconds; unset: none.
*/

/*!
    \var CorsOptions::preflightContinue

    Whether a preflight goes on to the engine instead of being answered (default false).
*/

/*!
    \var CorsOptions::optionsSuccessStatus

    The status of an answered preflight (default 204).
*/

/*!
    \struct CookieOptions

    \brief The sticky-session cookie engine.io can set on the handshake (its \c cookie option);
    the value is the session id.
*/

// The fields added after 1.0.
class CookieOptionsExtension : public QSharedData
{
public:
    CookieOptions::Encoder encode;
    bool partitioned = false;
    QString priority;
};

/*!
    \typedef CookieOptions::Encoder

    A function turning the session id into the cookie's value.
*/

/*!
    Returns the function that turns the session id into the cookie's value (the \c encode
    option of the \c cookie package); unset by default, which percent-encodes like
    encodeURIComponent.
*/
CookieOptions::Encoder CookieOptions::encode() const
{
    return m_extension ? m_extension->encode : Encoder();
}

/*!
    Sets the function that turns the session id into the cookie's value to \a encode. When it
    returns characters a cookie value cannot hold (the \c cookie package's check: controls,
    space, double quotes inside, comma, semicolon, backslash or non-ASCII), the cookie is not
    sent and a warning is logged; the reference throws there.
*/
void CookieOptions::setEncode(const Encoder &encode)
{
    if (!m_extension)
        m_extension = new CookieOptionsExtension;
    m_extension->encode = encode;
}

/*!
    Returns whether the cookie has the Partitioned attribute; false by default.
*/
bool CookieOptions::isPartitioned() const
{
    return m_extension && m_extension->partitioned;
}

/*!
    Sets whether the cookie has the Partitioned attribute to \a partitioned.
*/
void CookieOptions::setPartitioned(bool partitioned)
{
    if (isPartitioned() == partitioned)
        return;
    if (!m_extension)
        m_extension = new CookieOptionsExtension;
    m_extension->partitioned = partitioned;
}

/*!
    Returns the Priority attribute ("low", "medium" or "high", in any case); empty (the default):
    none.
*/
QString CookieOptions::priority() const
{
    return m_extension ? m_extension->priority : QString();
}

/*!
    Sets the Priority attribute to \a priority.
*/
void CookieOptions::setPriority(const QString &priority)
{
    if (!m_extension)
        m_extension = new CookieOptionsExtension;
    m_extension->priority = priority;
}

/*!
    Constructs the defaults.
*/
CookieOptions::CookieOptions() = default;

/*!
    Constructs a copy of \a other.
*/
CookieOptions::CookieOptions(const CookieOptions &other) = default;

/*!
    Move-constructs from \a other.
*/
CookieOptions::CookieOptions(CookieOptions &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
CookieOptions &CookieOptions::operator=(const CookieOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
CookieOptions &CookieOptions::operator=(CookieOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
CookieOptions::~CookieOptions() = default;

/*!
    \var CookieOptions::name

    The cookie name (default "io").
*/

/*!
    \var CookieOptions::path

    The Path attribute (default "/"); empty: none.
*/

/*!
    \var CookieOptions::domain

    The Domain attribute; empty: none.
*/

/*!
    \var CookieOptions::httpOnly

    Whether the HttpOnly attribute is set (default true).
*/

/*!
    \var CookieOptions::sameSite

    The SameSite attribute: "Strict", "Lax" (the default), "None", or empty for none.
*/

/*!
    \var CookieOptions::secure

    Whether the Secure attribute is set (default false).
*/

/*!
    \var CookieOptions::maxAge

    The Max-Age attribute in seconds; unset: none.
*/

/*!
    \var CookieOptions::expires

    The Expires attribute; unset: none.
*/

/*!
    \struct HttpCompressionOptions

    \brief Compression of polling responses (engine.io's \c httpCompression option).
*/

// The fields added after 1.0.
class HttpCompressionOptionsExtension : public QSharedData
{
public:
    ZlibOptions zlib;
};

/*!
    \struct SocketIO::ZlibOptions
    \inmodule SocketIO
    \brief The tuning of a zlib stream, with the names, ranges and defaults of Node's zlib
    options.
*/

/*!
    \var ZlibOptions::level

    The compression level, from 0 (none) to 9 (smallest); -1 (the default) is zlib's default,
    6.
*/

/*!
    \var ZlibOptions::windowBits

    The base-2 logarithm of the window, from 8 to 15 (the default). zlib turns 8 into 9.
*/

/*!
    \var ZlibOptions::memLevel

    How much memory the compression state uses, from 1 to 9 (default 8).
*/

/*!
    \var ZlibOptions::strategy

    zlib's strategy: 0 default (the default), 1 filtered, 2 Huffman only, 3 RLE, 4 fixed.
*/

/*!
    \var ZlibOptions::chunkSize

    Node's stream buffer size, at least 64 bytes (default 16384). Checked as Node checks it;
    a body is compressed in one call here, so it has no other effect.
*/

/*!
    Returns the zlib options used to compress (defaults: Node's).
*/
ZlibOptions HttpCompressionOptions::zlib() const
{
    return m_extension ? m_extension->zlib : ZlibOptions();
}

/*!
    Sets the zlib options used to compress to \a options.
*/
void HttpCompressionOptions::setZlib(const ZlibOptions &options)
{
    if (!m_extension)
        m_extension = new HttpCompressionOptionsExtension;
    m_extension->zlib = options;
}

/*!
    Constructs the defaults.
*/
HttpCompressionOptions::HttpCompressionOptions() = default;

/*!
    Constructs a copy of \a other.
*/
HttpCompressionOptions::HttpCompressionOptions(const HttpCompressionOptions &other) = default;

/*!
    Move-constructs from \a other.
*/
HttpCompressionOptions::HttpCompressionOptions(HttpCompressionOptions &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
HttpCompressionOptions &
HttpCompressionOptions::operator=(const HttpCompressionOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
HttpCompressionOptions &
HttpCompressionOptions::operator=(HttpCompressionOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
HttpCompressionOptions::~HttpCompressionOptions() = default;

/*!
    \var HttpCompressionOptions::threshold

    Bodies smaller than this many bytes are sent uncompressed (default 1024).
*/

/*!
    \struct HttpLimits

    \brief Limits of the HTTP front, with the knobs and defaults of Node's http.Server where it
    has them. Beyond them a request gets 431, 413 or 408 and the connection closes.
*/

// The fields added after 1.0.
class HttpLimitsExtension : public QSharedData
{
public:
    bool http2 = false;
    bool allowHTTP1 = false;
    int maxConcurrentStreams = 100;
};

/*!
    Returns whether a TLS listener offers HTTP/2 ("h2") by ALPN (default false). Node's
    http2.createSecureServer(): polling runs over HTTP/2 streams, many at once on one
    connection; a WebSocket needs an HTTP/1.1 connection (see allowHTTP1()).

    Only in a build with HTTP/2 (SOCKETIO_HTTP2, nghttp2), and only for listen() with an SSL
    configuration: a plain TCP listener and the worker pool stay on HTTP/1.1. A QSslServer
    given to attach() serves HTTP/2 when its own configuration offers "h2".
*/
bool HttpLimits::http2() const
{
    return m_extension && m_extension->http2;
}

/*!
    Offers HTTP/2 on a TLS listener when \a enabled; see http2().
*/
void HttpLimits::setHttp2(bool enabled)
{
    if (!m_extension)
        m_extension = new HttpLimitsExtension;
    m_extension->http2 = enabled;
}

/*!
    Returns whether an HTTP/2 listener also serves clients that do not choose "h2" by ALPN
    (Node's allowHTTP1; default false, as in Node). Such clients speak HTTP/1.1 there, and
    so do WebSocket upgrades: with false, an HTTP/1.1 client is disconnected after the TLS
    handshake, and the WebSocket transport is not reachable. Without http2() it has no effect.
*/
bool HttpLimits::allowHTTP1() const
{
    return m_extension && m_extension->allowHTTP1;
}

/*!
    Serves HTTP/1.1 clients beside HTTP/2 ones when \a allow; see allowHTTP1().
*/
void HttpLimits::setAllowHTTP1(bool allow)
{
    if (!m_extension)
        m_extension = new HttpLimitsExtension;
    m_extension->allowHTTP1 = allow;
}

/*!
    Returns how many streams (requests) an HTTP/2 client may have open at once on one
    connection (SETTINGS_MAX_CONCURRENT_STREAMS; default 100, where Node sets no limit).
    Further ones are refused with REFUSED_STREAM. Each stream's body is bounded like an
    HTTP/1.1 request's, so one connection holds at most this many bodies at once.
*/
int HttpLimits::maxConcurrentStreams() const
{
    return m_extension ? m_extension->maxConcurrentStreams : 100;
}

/*!
    Sets the limit of concurrent HTTP/2 streams per connection to \a streams (at least 1).
*/
void HttpLimits::setMaxConcurrentStreams(int streams)
{
    if (!m_extension)
        m_extension = new HttpLimitsExtension;
    m_extension->maxConcurrentStreams = streams;
}

/*!
    Constructs the defaults.
*/
HttpLimits::HttpLimits() = default;

/*!
    Constructs a copy of \a other.
*/
HttpLimits::HttpLimits(const HttpLimits &other) = default;

/*!
    Move-constructs from \a other.
*/
HttpLimits::HttpLimits(HttpLimits &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
HttpLimits &HttpLimits::operator=(const HttpLimits &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
HttpLimits &HttpLimits::operator=(HttpLimits &&other) noexcept = default;

/*!
    Destroys the options.
*/
HttpLimits::~HttpLimits() = default;

/*!
    \var HttpLimits::maxHeaderSize

    Bytes of the request line and headers (trailers too); 431 beyond (default 16 KiB).
*/

/*!
    \var HttpLimits::maxHeadersCount

    Header lines; 431 beyond (default 2000; Node drops the extra ones).
*/

/*!
    \var HttpLimits::headersTimeout

    Milliseconds to receive a complete request head; 408 after it (default 60000).
*/

/*!
    \var HttpLimits::requestTimeout

    Milliseconds to receive a complete request body; 408 after it (default 300000).
*/

/*!
    \var HttpLimits::keepAliveTimeout

    Milliseconds an idle keep-alive connection stays open (default 5000).
*/

/*!
    \var HttpLimits::maxBodySize

    Bytes of a request body to a path outside the engine (the request handler's); 413 beyond
    (default 1 MiB). The engine's own requests are bounded by EngineOptions::maxHttpBufferSize.
*/

/*!
    Returns options that allow the single \a origin (Origin::List).
*/
CorsOptions CorsOptions::allowingOrigin(const QString &origin)
{
    CorsOptions options;
    options.origin = Origin::List;
    options.origins = {origin};
    return options;
}

} // namespace SocketIO
