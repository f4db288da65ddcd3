#include "clientoptions.h"

#include "variant_p.h"

#include <QtCore/QFile>

namespace SocketIO {

/*!
    \class SocketIO::ManagerOptions
    \inmodule SocketIO
    \brief The client options, with the names and defaults of socket.io-client 4.8.
*/

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
    \struct TlsOptions

    \brief TLS for https and wss URLs, applied through QSslConfiguration (the Node client's ca,
    cert, key, passphrase, ciphers and rejectUnauthorized).
*/

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
QByteArray pem(const QVariant &value)
{
    const QString text = value.toString();
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
    auto expect = [&problem](const QString &key, const char *what) {
        problem = QStringLiteral("option \"%1\": expected %2").arg(key, QString::fromLatin1(what));
    };
    static const QHash<QString, QString> notApplicable = {
        {QStringLiteral("agent"), QStringLiteral("Qt manages its own connections")},
        {QStringLiteral("pfx"), QStringLiteral("give cert and key as PEM instead")},
        {QStringLiteral("perMessageDeflate"),
         QStringLiteral("QWebSocket does not implement permessage-deflate")},
        {QStringLiteral("localAddress"), QStringLiteral("not supported by QNetworkAccessManager")},
    };
    for (auto it = map.cbegin(); it != map.cend() && problem.isEmpty(); ++it) {
        const QString &key = it.key();
        const QVariant &v = it.value();
        const bool isBool = v.typeId() == QMetaType::Bool;
        if (notApplicable.contains(key)) {
            problem = QStringLiteral("option \"%1\" is not supported: %2")
                          .arg(key, notApplicable.value(key));
        } else if (key == u"path" || key == u"timestampParam" || key == u"ciphers") {
            if (v.typeId() != QMetaType::QString) {
                expect(key, "a string");
                break;
            }
            (key == u"path"      ? o.path
             : key == u"ciphers" ? o.tls.ciphers
                                 : o.timestampParam) = v.toString();
        } else if (key == u"query" || key == u"extraHeaders") {
            if (v.typeId() != QMetaType::QVariantMap) {
                expect(key, "an object");
                break;
            }
            const QVariantMap sub = v.toMap();
            if (key == u"query") {
                o.query = sub;
            } else {
                for (auto h = sub.cbegin(); h != sub.cend(); ++h)
                    o.extraHeaders.insert(h.key().toUtf8(), h.value().toString().toUtf8());
            }
        } else if (key == u"transports" || key == u"protocols") {
            const QStringList list = v.toStringList();
            if (v.typeId() != QMetaType::QVariantList && v.typeId() != QMetaType::QStringList &&
                v.typeId() != QMetaType::QString) {
                expect(key, "a list of strings");
                break;
            }
            (key == u"transports" ? o.transports : o.protocols) = list;
        } else if (key == u"ca" || key == u"cert") {
            QList<QSslCertificate> certificates;
            const QVariantList items =
                v.typeId() == QMetaType::QVariantList ? v.toList() : QVariantList{v};
            for (const QVariant &item : items)
                certificates += QSslCertificate::fromData(pem(item), QSsl::Pem);
            if (certificates.isEmpty()) {
                expect(key, "PEM certificates (text or file paths)");
                break;
            }
            (key == u"ca" ? o.tls.ca : o.tls.cert) = certificates;
        } else if (key == u"key") {
            o.tls.key = pem(v);
            if (o.tls.key.isEmpty())
                expect(key, "a PEM key (text or file path)");
        } else if (key == u"passphrase") {
            o.tls.passphrase = v.toString().toUtf8();
        } else if (key == u"timestampRequests") {
            if (!isBool) {
                expect(key, "true or false");
                break;
            }
            o.timestampRequests = v.toBool();
        } else if (key == u"reconnectionAttempts" || key == u"reconnectionDelay" ||
                   key == u"reconnectionDelayMax" || key == u"timeout") {
            if (key == u"timeout" && isBool && !v.toBool()) {
                o.timeout = -1; // timeout: false
                continue;
            }
            if (!isNumber(v)) {
                expect(key, "a number");
                break;
            }
            const double d = v.toDouble();
            const int value = d >= double(std::numeric_limits<int>::max())
                                  ? std::numeric_limits<int>::max()
                                  : int(d);
            if (key == u"reconnectionAttempts")
                o.reconnectionAttempts = value;
            else if (key == u"reconnectionDelay")
                o.reconnectionDelay = value;
            else if (key == u"reconnectionDelayMax")
                o.reconnectionDelayMax = value;
            else
                o.timeout = value;
        } else if (key == u"randomizationFactor") {
            if (!isNumber(v)) {
                expect(key, "a number");
                break;
            }
            o.randomizationFactor = v.toDouble();
        } else if (key == u"parser") {
            o.parser = Parser::byName(v.toString());
            if (!o.parser)
                problem = QStringLiteral("option \"parser\": expected \"default\" or \"msgpack\"");
        } else if (key == u"auth" || key == u"ackTimeout" || key == u"retries") {
            if (!socketOptions) {
                problem =
                    QStringLiteral("option \"%1\" belongs to the socket (SocketOptions)").arg(key);
                break;
            }
            if (key == u"auth")
                socketOptions->auth = v.toMap();
            else if (key == u"ackTimeout")
                socketOptions->ackTimeout = v.toInt();
            else
                socketOptions->retries = v.toInt();
        } else {
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
                {QStringLiteral("multiplex"), &ManagerOptions::multiplex},
            };
            const auto flag = flags.constFind(key);
            if (key == u"rejectUnauthorized") {
                if (!isBool)
                    expect(key, "true or false");
                else
                    o.tls.rejectUnauthorized = v.toBool();
            } else if (flag != flags.cend()) {
                if (!isBool)
                    expect(key, "true or false");
                else
                    o.**flag = v.toBool();
            } else {
                problem = QStringLiteral("unknown option \"%1\"").arg(key);
            }
        }
    }
    if (problem.isEmpty())
        problem = o.validate();
    if (error)
        *error = problem;
    return o;
}

} // namespace SocketIO
