#pragma once

#include "socketio_export.h"

#include <QtCore/QDateTime>
#include <QtCore/QList>
#include <QtCore/QRegularExpression>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QStringList>

#include <functional>
#include <optional>

// The option types of the HTTP front: they belong to the http layer, which the engine's
// options (engineoptions.h) build on.

namespace SocketIO {

class CorsOptionsExtension;

// Cross-origin resource sharing, with the semantics and defaults of the `cors` npm package
// that engine.io uses.
struct SOCKETIO_EXPORT CorsOptions
{
    CorsOptions();
    CorsOptions(const CorsOptions &other);
    CorsOptions(CorsOptions &&other) noexcept;
    CorsOptions &operator=(const CorsOptions &other);
    CorsOptions &operator=(CorsOptions &&other) noexcept;
    ~CorsOptions();

    enum class Origin {
        Any,      // "*" (the default)
        Reflect,  // true: echo the request's Origin
        Disabled, // false: no CORS headers
        List,     // `origins` and `originPatterns`: allowed origins are echoed, others get none;
                  // a single origin and no pattern is sent as it is, like a string in `cors`
        Callback, // `originCallback` decides per request
    };
    // The decision of an origin callback: an error string fails the request with 400 (as
    // engine.io's middleware failure does); allow echoes the origin, refuse adds no headers.
    using OriginDecision = std::function<void(const QString &error, bool allow)>;
    using OriginCallback = std::function<void(const QString &origin, OriginDecision decide)>;

    Origin origin = Origin::Any;
    QStringList origins;
    QList<QRegularExpression> originPatterns;
    OriginCallback originCallback;
    QStringList methods = {QStringLiteral("GET"),  QStringLiteral("HEAD"),
                           QStringLiteral("PUT"),  QStringLiteral("PATCH"),
                           QStringLiteral("POST"), QStringLiteral("DELETE")};
    // Unset: reflect the preflight's Access-Control-Request-Headers.
    std::optional<QStringList> allowedHeaders;
    QStringList exposedHeaders;
    bool credentials = false;
    std::optional<int> maxAge; // seconds
    bool preflightContinue = false;
    int optionsSuccessStatus = 204;

    static CorsOptions allowingOrigin(const QString &origin);

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<CorsOptionsExtension> m_extension;
};

class CookieOptionsExtension;

// The sticky-session cookie engine.io can set on the handshake (the `cookie` option).
struct SOCKETIO_EXPORT CookieOptions
{
    CookieOptions();
    CookieOptions(const CookieOptions &other);
    CookieOptions(CookieOptions &&other) noexcept;
    CookieOptions &operator=(const CookieOptions &other);
    CookieOptions &operator=(CookieOptions &&other) noexcept;
    ~CookieOptions();

    QString name = QStringLiteral("io");
    QString path = QStringLiteral("/"); // empty: no Path attribute
    QString domain;
    bool httpOnly = true;
    QString sameSite = QStringLiteral("Lax"); // "Strict", "Lax", "None" or empty
    bool secure = false;
    std::optional<qint64> maxAge; // seconds
    std::optional<QDateTime> expires;

    // Turns the session id into the cookie's value (the `cookie` package's `encode`); unset:
    // percent-encoding like encodeURIComponent. A value with characters a cookie cannot hold
    // is not sent.
    using Encoder = std::function<QString(const QString &value)>;
    Encoder encode() const;
    void setEncode(const Encoder &encode);
    // The Partitioned attribute (CHIPS); false by default.
    bool isPartitioned() const;
    void setPartitioned(bool partitioned);
    // The Priority attribute: "low", "medium", "high" (any case) or empty for none.
    QString priority() const;
    void setPriority(const QString &priority);

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<CookieOptionsExtension> m_extension;
};

// The tuning of a zlib stream, with the names and defaults of Node's zlib options.
struct SOCKETIO_EXPORT ZlibOptions
{
    int level = -1;            // 0 (none) to 9 (best); -1: zlib's default (6)
    int windowBits = 15;       // 8 to 15: the window is 2^windowBits bytes
    int memLevel = 8;          // 1 to 9: memory for the compression state
    int strategy = 0;          // Z_DEFAULT_STRATEGY, FILTERED, HUFFMAN_ONLY, RLE, FIXED: 0 to 4
    int chunkSize = 16 * 1024; // bytes; at least 64, as Node requires
};

class HttpCompressionOptionsExtension;

struct SOCKETIO_EXPORT HttpCompressionOptions
{
    HttpCompressionOptions();
    HttpCompressionOptions(const HttpCompressionOptions &other);
    HttpCompressionOptions(HttpCompressionOptions &&other) noexcept;
    HttpCompressionOptions &operator=(const HttpCompressionOptions &other);
    HttpCompressionOptions &operator=(HttpCompressionOptions &&other) noexcept;
    ~HttpCompressionOptions();

    qint64 threshold = 1024; // bytes; smaller bodies are sent as they are

    // The zlib options of engine.io's httpCompression object (level, windowBits, ...).
    ZlibOptions zlib() const;
    void setZlib(const ZlibOptions &options);

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<HttpCompressionOptionsExtension> m_extension;
};

class HttpLimitsExtension;

// Limits of the HTTP front (Node's http.Server has the same knobs and defaults, where it has
// them). Beyond them a request gets 431, 413 or 408 and the connection closes.
struct SOCKETIO_EXPORT HttpLimits
{
    HttpLimits();
    HttpLimits(const HttpLimits &other);
    HttpLimits(HttpLimits &&other) noexcept;
    HttpLimits &operator=(const HttpLimits &other);
    HttpLimits &operator=(HttpLimits &&other) noexcept;
    ~HttpLimits();

    int maxHeaderSize = 16 * 1024; // bytes: request line and headers (also trailers): 431
    int maxHeadersCount = 2000;    // header lines: 431 beyond (Node drops the extra ones)
    int headersTimeout = 60'000;   // ms to receive a complete head: 408 after it
    int requestTimeout = 300'000;  // ms to receive a complete body: 408 after it
    int keepAliveTimeout = 5'000;  // ms an idle keep-alive connection stays open
    // Bytes of a request body to a path outside the engine (the request handler's): 413
    // beyond. The engine's own requests are bounded by maxHttpBufferSize.
    qint64 maxBodySize = 1024 * 1024;

    // HTTP/2 over TLS, chosen by ALPN (Node's http2.createSecureServer()); off by default.
    bool http2() const;
    void setHttp2(bool enabled);
    // With http2(): whether clients that do not choose "h2" are served over HTTP/1.1 (they
    // need it for WebSocket). Default false, as Node's allowHTTP1.
    bool allowHTTP1() const;
    void setAllowHTTP1(bool allow);
    // Streams an HTTP/2 client may have open at once on one connection (default 100).
    int maxConcurrentStreams() const;
    void setMaxConcurrentStreams(int streams);

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<HttpLimitsExtension> m_extension;
};

} // namespace SocketIO
