#pragma once

#include "socketio_export.h"
#include <SocketIO/engineoptions.h>
#include <SocketIO/parser.h>

#include <QtCore/QSharedDataPointer>
#include <QtCore/QStringList>
#include <QtCore/QVariantMap>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslCipher>
#include <QtNetwork/QSslKey>

#include <functional>
#include <limits>
#include <memory>
#include <optional>

namespace SocketIO {

class TlsOptionsExtension;

// TLS for https/wss URLs, applied through QSslConfiguration at run time (the Node client's
// ca, cert, key, passphrase, ciphers and rejectUnauthorized).
struct SOCKETIO_EXPORT TlsOptions
{
    TlsOptions();
    TlsOptions(const TlsOptions &other);
    TlsOptions(TlsOptions &&other) noexcept;
    TlsOptions &operator=(const TlsOptions &other);
    TlsOptions &operator=(TlsOptions &&other) noexcept;
    ~TlsOptions();

    QList<QSslCertificate> ca;   // trusted roots; empty: the system's
    QList<QSslCertificate> cert; // client certificate chain
    QByteArray key;              // PEM private key, possibly encrypted
    QByteArray passphrase;
    QString ciphers; // OpenSSL cipher list, "ECDHE-RSA-AES128-GCM-SHA256:..."
    bool rejectUnauthorized = true;

    // Reads PEM files; false (with `error`) when one cannot be read.
    bool loadCa(const QString &path, QString *error = nullptr);

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<TlsOptionsExtension> m_extension;
};

class ManagerOptionsExtension;

// The Manager's options: engine.io-client 6.6 and socket.io-client 4.8 names and defaults.
struct SOCKETIO_EXPORT ManagerOptions
{
    ManagerOptions();
    ManagerOptions(const ManagerOptions &other);
    ManagerOptions(ManagerOptions &&other) noexcept;
    ManagerOptions &operator=(const ManagerOptions &other);
    ManagerOptions &operator=(ManagerOptions &&other) noexcept;
    ~ManagerOptions();

    // Engine.IO.
    QString path = QStringLiteral("/socket.io");
    bool addTrailingSlash = true;
    QVariantMap query;
    QMap<QByteArray, QByteArray> extraHeaders;
    bool withCredentials = false; // keep and send cookies (sticky sessions), as a browser does
    bool forceBase64 = false;
    // Unset: a cache-busting parameter on polling requests only, as the reference does.
    std::optional<bool> timestampRequests;
    QString timestampParam = QStringLiteral("t");
    // Tried in this order; "webtransport" is refused (Qt has no HTTP/3).
    QStringList transports = {QStringLiteral("polling"), QStringLiteral("websocket")};
    bool tryAllTransports = false;
    bool upgrade = true;
    bool rememberUpgrade = false;
    QStringList protocols; // WebSocket sub-protocols
    TlsOptions tls;
    // Browser and Node-only options, documented as not applicable in Qt.
    bool closeOnBeforeunload = false;
    bool autoUnref = false;

    // Socket.IO Manager.
    bool reconnection = true;
    int reconnectionAttempts = std::numeric_limits<int>::max();
    int reconnectionDelay = 1000;    // ms
    int reconnectionDelayMax = 5000; // ms
    double randomizationFactor = 0.5;
    int timeout = 20'000; // ms; -1: no connection timeout
    bool autoConnect = true;
    std::shared_ptr<const Parser> parser = Parser::defaultParser();

    // The io() factory: a new Manager instead of a cached one.
    bool forceNew = false;
    bool multiplex = true;

    // WebSocket compression (permessage-deflate), on by default as in engine.io-client for
    // Node: offered on every WebSocket, with messages below the threshold sent uncompressed.
    bool perMessageDeflate() const;
    void setPerMessageDeflate(bool enabled);
    PerMessageDeflateOptions perMessageDeflateOptions() const;
    void setPerMessageDeflateOptions(const PerMessageDeflateOptions &options);
    // The largest message accepted over WebSocket, in bytes, once inflated (ws's maxPayload,
    // default 100 MiB).
    qint64 maxPayload() const;
    void setMaxPayload(qint64 bytes);
    // How long (ms) one polling request may take before it fails the transport
    // (engine.io-client's requestTimeout); 0, the default: no limit.
    int requestTimeout() const;
    void setRequestTimeout(int milliseconds);

    QString validate() const;
    // The reference's option names from a map (a parsed JSON object), including
    // "force new connection" and the TLS names (ca, cert and key as PEM text or file paths).
    // The socket options (auth, ackTimeout, retries) go to `socketOptions` when given.
    static ManagerOptions fromVariantMap(const QVariantMap &map, QString *error,
                                         struct SocketOptions *socketOptions = nullptr);

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<ManagerOptionsExtension> m_extension;
};

class SocketOptionsExtension;

// Per-socket options.
struct SOCKETIO_EXPORT SocketOptions
{
    SocketOptions();
    SocketOptions(const SocketOptions &other);
    SocketOptions(SocketOptions &&other) noexcept;
    SocketOptions &operator=(const SocketOptions &other);
    SocketOptions &operator=(SocketOptions &&other) noexcept;
    ~SocketOptions();

    // Sent with the CONNECT packet. With `authCallback`, it is asked each time instead.
    QVariantMap auth;
    std::function<void(std::function<void(const QVariantMap &)> done)> authCallback;
    int ackTimeout = -1; // ms; -1: none
    int retries = 0;     // with retries, events are delivered at least once, in order

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<SocketOptionsExtension> m_extension;
};

} // namespace SocketIO
