#pragma once

#include "socketio_config.h"
#include "socketio_export.h"
#include <SocketIO/httpoptions.h>

#include <QtCore/QDateTime>
#include <QtCore/QRegularExpression>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QStringList>
#include <QtCore/QVariantMap>

#include <functional>
#include <optional>

namespace SocketIO {

class EngineOptionsExtension;
class PerMessageDeflateOptionsExtension;

// WebSocket compression (permessage-deflate, RFC 7692) on the "lean" engine, with the options
// of the ws package's PerMessageDeflate and engine.io 6's threshold.
struct SOCKETIO_EXPORT PerMessageDeflateOptions
{
    PerMessageDeflateOptions();
    PerMessageDeflateOptions(const PerMessageDeflateOptions &other);
    PerMessageDeflateOptions(PerMessageDeflateOptions &&other) noexcept;
    PerMessageDeflateOptions &operator=(const PerMessageDeflateOptions &other);
    PerMessageDeflateOptions &operator=(PerMessageDeflateOptions &&other) noexcept;
    ~PerMessageDeflateOptions();

    qint64 threshold = 1024; // bytes: smaller messages are sent uncompressed
    bool serverNoContextTakeover = false;
    bool clientNoContextTakeover = false;
    int serverMaxWindowBits = 0; // 8..15; 0: not set
    int clientMaxWindowBits = 0; // 8..15; 0: not set
    int level = -1;              // zlibDeflateOptions.level: -1 (zlib's default) or 0..9
    int memLevel = 8;            // zlibDeflateOptions.memLevel: 1..9
    int concurrencyLimit = 10;   // accepted for ws's sake; compression runs inline here

    // zlibDeflateOptions.strategy: zlib's Z_DEFAULT_STRATEGY (0) to Z_FIXED (4).
    int strategy() const;
    void setStrategy(int strategy);

private:
    QSharedDataPointer<PerMessageDeflateOptionsExtension> m_extension;
};

// The Engine.IO server options, with the defaults of Node's engine.io 6.6.
struct SOCKETIO_EXPORT EngineOptions
{
    EngineOptions();
    EngineOptions(const EngineOptions &other);
    EngineOptions(EngineOptions &&other) noexcept;
    EngineOptions &operator=(const EngineOptions &other);
    EngineOptions &operator=(EngineOptions &&other) noexcept;
    ~EngineOptions();

    int pingInterval = 25'000;            // ms
    int pingTimeout = 20'000;             // ms
    int upgradeTimeout = 10'000;          // ms
    qint64 maxHttpBufferSize = 1'000'000; // bytes, per message and per polling request
    // Bytes a session may hold unsent (its queued packets and its transport's buffer): a
    // client that does not read is closed with "transport error" past it (ws buffers without
    // end). 0: no limit.
    qint64 maxWriteBufferSize = 16 * 1024 * 1024;
    QStringList transports = {QStringLiteral("polling"), QStringLiteral("websocket")};
    bool allowUpgrades = true;
    bool perMessageDeflate = false; // "lean" engine only; see perMessageDeflateOptions()
    std::optional<HttpCompressionOptions> httpCompression = HttpCompressionOptions();
    // "lean": the built-in RFC 6455 engine (the default where it is built, on Linux: 3x less
    // CPU and memory per client than QWebSocket, see bench/); "qt": QWebSocketServer.
#if SOCKETIO_LEAN_ENGINE
    QString wsEngine = QStringLiteral("lean");
#else
    QString wsEngine = QStringLiteral("qt");
#endif
    QByteArray initialPacket; // a message sent right after the handshake, when set
    std::optional<CookieOptions> cookie;
    std::optional<CorsOptions> cors;
    bool allowEIO3 = false;
    // Attach options.
    QString path = QStringLiteral("/engine.io");
    bool addTrailingSlash = true;
    bool destroyUpgrade = true;
    int destroyUpgradeTimeout = 1'000; // ms
    HttpLimits http;

    // Empty when the options can be used; else why not.
    QString validate() const;
    // The path prefix requests are matched against ("/engine.io/").
    QString routePath() const;

    // Reads the reference's option names (camelCase, as in the docs) from a map, such as a
    // parsed JSON object. Unknown names and wrong types are errors.
    static EngineOptions fromVariantMap(const QVariantMap &map, QString *error);
    QVariantMap toVariantMap() const;

    // The settings of perMessageDeflate, when it is true.
    PerMessageDeflateOptions perMessageDeflateOptions() const;
    void setPerMessageDeflateOptions(const PerMessageDeflateOptions &options);

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<EngineOptionsExtension> m_extension;
};

} // namespace SocketIO
