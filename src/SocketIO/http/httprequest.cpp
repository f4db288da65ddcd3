#include "httprequest.h"

#include <QtCore/QDateTime>
#include <QtCore/QLocale>
#include <QtCore/QtEndian>

#include <algorithm>
#include <cstring>
#include <optional>

namespace SocketIO {

namespace {

using Headers = QList<std::pair<QByteArray, QByteArray>>;

// The first header named `name` (case-insensitive), or end(): requests and responses alike.
Headers::const_iterator findHeader(const Headers &headers, QByteArrayView name)
{
    return std::find_if(headers.cbegin(), headers.cend(), [name](const auto &h) {
        return h.first.compare(name, Qt::CaseInsensitive) == 0;
    });
}

} // namespace

// Everything a request holds, in as few blocks as the request allows: every session keeps its
// handshake request for its whole life, so each block here is paid per idle connection.
class HttpRequestData : public QSharedData
{
public:
    QByteArray method;
    QByteArray target;
    QByteArray version = QByteArrayLiteral("HTTP/1.1");
    // The headers in one block rather than a list of pairs of arrays (a block each): per
    // header, the name's length, the name, the value's length, the value. A length below 255
    // takes one byte, a longer one 255 then four bytes (big-endian).
    QByteArray fields;
    QByteArray body;
    // The peer's address as bytes (a QHostAddress holds a block of its own), unless it needs
    // more than that (an IPv6 scope, a special address).
    Q_IPV6ADDR address{};
    enum class Address : quint8 { Null, IPv4, IPv6, Other };
    Address addressKind = Address::Null;
    bool secure = false;
    quint16 port = 0;
    std::optional<QHostAddress> otherAddress;
    // Only when set: a QSslCertificate, even a null one, loads the TLS backend (OpenSSL, some
    // megabytes) into a server that may never use TLS.
    std::optional<QSslCertificate> certificate;

    static void appendLength(QByteArray &out, qsizetype size)
    {
        if (size < 255) {
            out.append(char(size));
        } else {
            const quint32 big = qToBigEndian(quint32(size));
            out.append(char(255));
            out.append(reinterpret_cast<const char *>(&big), sizeof big);
        }
    }
    static qsizetype lengthSize(qsizetype size) { return size < 255 ? 1 : 5; }
    // Calls f(name, value) for each header in order, until it returns false.
    template<typename F> void forEachHeader(F &&f) const
    {
        const char *p = fields.constData();
        const char *const end = p + fields.size();
        const auto next = [&p] {
            qsizetype size = quint8(*p++);
            if (size == 255) {
                size = qFromBigEndian<quint32>(p);
                p += 4;
            }
            const QByteArrayView view(p, size);
            p += size;
            return view;
        };
        while (p < end) {
            const QByteArrayView name = next();
            const QByteArrayView value = next();
            if (!f(name, value))
                return;
        }
    }
    // The value of the first header named `name` (case-insensitive); null when none.
    QByteArrayView find(QByteArrayView name, bool *found) const
    {
        QByteArrayView result;
        *found = false;
        forEachHeader([&](QByteArrayView n, QByteArrayView value) {
            if (n.compare(name, Qt::CaseInsensitive) != 0)
                return true;
            result = value;
            *found = true;
            return false;
        });
        return result;
    }
};

/*!
    \class SocketIO::HttpRequest
    \inmodule SocketIO
    \brief One HTTP/1.1 request received by the HTTP front.

    Handed to request handlers (EngineServer::setRequestHandler) and to allowRequest.
    Copies share the same data until one of them is changed.
*/

/*!
    Constructs an empty request: no method, target or headers, and version HTTP/1.1.
*/
HttpRequest::HttpRequest()
    : d(new HttpRequestData)
{}

/*!
    Constructs a copy of \a other, which shares its data.
*/
HttpRequest::HttpRequest(const HttpRequest &other) = default;

/*!
    Move-constructs a request from \a other.
*/
HttpRequest::HttpRequest(HttpRequest &&other) noexcept = default;

/*!
    Makes this request a copy of \a other, which shares its data.
*/
HttpRequest &HttpRequest::operator=(const HttpRequest &other) = default;

/*!
    Move-assigns \a other to this request.
*/
HttpRequest &HttpRequest::operator=(HttpRequest &&other) noexcept = default;

/*!
    Destroys the request.
*/
HttpRequest::~HttpRequest() = default;

/*!
    \typedef HttpRequest::Header

    A header: its lower-case name and its value.
*/

/*!
    Returns the method, such as "GET".
*/
QByteArray HttpRequest::method() const
{
    return d->method;
}

/*!
    Returns the request target as sent, such as "/socket.io/?EIO=4&transport=polling".
*/
QByteArray HttpRequest::target() const
{
    return d->target;
}

/*!
    Returns the HTTP version, such as "HTTP/1.1".
*/
QByteArray HttpRequest::httpVersion() const
{
    return d->version;
}

/*!
    Returns the headers in the order received, with lower-case names; repeated headers stay
    apart.
*/
QList<HttpRequest::Header> HttpRequest::headers() const
{
    QList<Header> headers;
    d->forEachHeader([&headers](QByteArrayView name, QByteArrayView value) {
        headers.append({name.toByteArray(), value.toByteArray()});
        return true;
    });
    return headers;
}

/*!
    Returns the body.
*/
QByteArray HttpRequest::body() const
{
    return d->body;
}

/*!
    Returns the client's address.
*/
QHostAddress HttpRequest::peerAddress() const
{
    switch (d->addressKind) {
    case HttpRequestData::Address::IPv4:
        return QHostAddress(qFromBigEndian<quint32>(d->address.c));
    case HttpRequestData::Address::IPv6:
        return QHostAddress(d->address);
    case HttpRequestData::Address::Other:
        return *d->otherAddress;
    case HttpRequestData::Address::Null:
        break;
    }
    return QHostAddress();
}

/*!
    Returns the client's port.
*/
quint16 HttpRequest::peerPort() const
{
    return d->port;
}

/*!
    Returns true when the request came over TLS.
*/
bool HttpRequest::isSecure() const
{
    return d->secure;
}

/*!
    Sets the method to \a method.
*/
void HttpRequest::setMethod(const QByteArray &method)
{
    d->method = method;
}

/*!
    Sets the HTTP version to \a version.
*/
void HttpRequest::setHttpVersion(const QByteArray &version)
{
    d->version = version;
}

/*!
    Sets the body to \a body.
*/
void HttpRequest::setBody(const QByteArray &body)
{
    d->body = body;
}

/*!
    Returns the decoded path of the target, such as "/socket.io/".
*/
// The target is parsed when asked, not kept parsed: a session keeps its handshake request,
// and a parsed URL would cost each one some 350 bytes for what is read once or twice.
QString HttpRequest::path() const
{
    return QUrl::fromEncoded(d->target, QUrl::TolerantMode).path();
}

/*!
    Returns the query of the target; as with Node's querystring, "+" means a space.
*/
QUrlQuery HttpRequest::query() const
{
    // Like Node's querystring, '+' in a query means a space.
    QString query = QUrl::fromEncoded(d->target, QUrl::TolerantMode).query(QUrl::FullyEncoded);
    query.replace(u'+', QStringLiteral("%20"));
    return QUrlQuery(query);
}

/*!
    Returns the decoded value of the query parameter \a key, or an empty string.
*/
QString HttpRequest::queryItem(const QString &key) const
{
    return query().queryItemValue(key, QUrl::FullyDecoded);
}

/*!
    Returns the value of the first header named \a name (case-insensitive), or an empty array.
*/
QByteArray HttpRequest::header(QByteArrayView name) const
{
    bool found = false;
    return d->find(name, &found).toByteArray();
}

/*!
    Returns true when a header named \a name (case-insensitive) is present.
*/
bool HttpRequest::hasHeader(QByteArrayView name) const
{
    bool found = false;
    d->find(name, &found);
    return found;
}

/*!
    Returns true when the connection stays open after the response: by default with HTTP/1.1,
    with "Connection: keep-alive" with HTTP/1.0.
*/
bool HttpRequest::keepAlive() const
{
    const QByteArray connection = header("connection").toLower();
    if (d->version == "HTTP/1.0")
        return connection.contains("keep-alive");
    return !connection.contains("close");
}

/*!
    Returns true for a GET with "Upgrade: websocket".
*/
bool HttpRequest::isWebSocketUpgrade() const
{
    return d->method == "GET" && header("upgrade").toLower() == "websocket";
}

/*!
    Sets the request target to \a target; path() and query() follow it.
*/
void HttpRequest::setTarget(const QByteArray &target)
{
    d->target = target;
}

/*!
    Appends a header; \a lowerCaseName must be lower-case already.
*/
void HttpRequest::addHeader(const QByteArray &lowerCaseName, const QByteArray &value)
{
    // Grown to the size needed, not doubled: the block is kept as long as the session.
    QByteArray &fields = d->fields;
    fields.reserve(fields.size() + HttpRequestData::lengthSize(lowerCaseName.size()) +
                   lowerCaseName.size() + HttpRequestData::lengthSize(value.size()) + value.size());
    HttpRequestData::appendLength(fields, lowerCaseName.size());
    fields.append(lowerCaseName);
    HttpRequestData::appendLength(fields, value.size());
    fields.append(value);
}

/*!
    Returns the certificate the client presented in the TLS handshake, when the server asked
    for one (QSslConfiguration::setPeerVerifyMode()); null otherwise. It is Node's
    \c req.client.getPeerCertificate(); from a Socket.IO socket, call
    \c peerCertificate() on the request of its \c conn().
*/
QSslCertificate HttpRequest::peerCertificate() const
{
    return d->certificate ? *d->certificate : QSslCertificate();
}

/*!
    Sets the client's TLS \a certificate.
*/
void HttpRequest::setPeerCertificate(const QSslCertificate &certificate)
{
    d->certificate = certificate;
}

/*!
    Sets the client's \a address and \a port, and whether the connection is \a secure (TLS).
*/
void HttpRequest::setPeer(const QHostAddress &address, quint16 port, bool secure)
{
    HttpRequestData *data = d.data();
    data->otherAddress.reset();
    data->address = {};
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 big = qToBigEndian(address.toIPv4Address());
        std::memcpy(data->address.c, &big, sizeof big);
        data->addressKind = HttpRequestData::Address::IPv4;
    } else if (address.protocol() == QAbstractSocket::IPv6Protocol && address.scopeId().isEmpty()) {
        data->address = address.toIPv6Address();
        data->addressKind = HttpRequestData::Address::IPv6;
    } else if (address.isNull()) {
        data->addressKind = HttpRequestData::Address::Null;
    } else {
        data->otherAddress = address;
        data->addressKind = HttpRequestData::Address::Other;
    }
    data->port = port;
    data->secure = secure;
}

/*!
    \class SocketIO::HttpResponse
    \inmodule SocketIO
    \brief A response written by the HTTP front.
*/

/*!
    \typedef HttpResponse::Header

    A header: its name and its value.
*/

/*!
    \fn int HttpResponse::statusCode() const

    Returns the status code (default 200).
*/

/*!
    \fn void HttpResponse::setStatusCode(int status)

    Sets the status code to \a status.
*/

/*!
    \fn QList<Header> HttpResponse::headers() const

    Returns the headers in order.
*/

/*!
    \fn QByteArray HttpResponse::body() const

    Returns the body.
*/

/*!
    \fn void HttpResponse::setBody(const QByteArray &body)

    Sets the body to \a body.
*/

/*!
    Returns the value of the first header named \a name (case-insensitive), or an empty array.
*/
QByteArray HttpResponse::header(QByteArrayView name) const
{
    const auto it = findHeader(m_headers, name);
    return it == m_headers.cend() ? QByteArray() : it->second;
}

/*!
    Sets the header \a name to \a value: replaces the first header of that name
    (case-insensitive), or appends one.
*/
void HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (Header &h : m_headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0) {
            h.second = value;
            return;
        }
    }
    m_headers.append({name, value});
}

/*!
    Appends a header \a name with \a value, even when one of that name exists.
*/
void HttpResponse::addHeader(const QByteArray &name, const QByteArray &value)
{
    m_headers.append({name, value});
}

/*!
    Removes every header named \a name (case-insensitive).
*/
void HttpResponse::removeHeader(QByteArrayView name)
{
    m_headers.removeIf(
        [name](const Header &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
}

/*!
    Returns the reason phrase of \a status, such as "Not Found", or "Unknown".
*/
QByteArray HttpResponse::reasonPhrase(int status)
{
    switch (status) {
    case 101:
        return QByteArrayLiteral("Switching Protocols");
    case 200:
        return QByteArrayLiteral("OK");
    case 204:
        return QByteArrayLiteral("No Content");
    case 304:
        return QByteArrayLiteral("Not Modified");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 403:
        return QByteArrayLiteral("Forbidden");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 408:
        return QByteArrayLiteral("Request Timeout");
    case 413:
        return QByteArrayLiteral("Payload Too Large");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 500:
        return QByteArrayLiteral("Internal Server Error");
    case 501:
        return QByteArrayLiteral("Not Implemented");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    case 505:
        return QByteArrayLiteral("HTTP Version Not Supported");
    default:
        return QByteArrayLiteral("Unknown");
    }
}

namespace {
// RFC 7231 IMF-fixdate, cached for the current second.
QByteArray httpDate()
{
    static thread_local qint64 cachedSecond = -1;
    static thread_local QByteArray cached;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 second = now.toSecsSinceEpoch();
    if (second != cachedSecond) {
        cachedSecond = second;
        cached = QLocale::c().toString(now, u"ddd, dd MMM yyyy hh:mm:ss 'GMT'").toLatin1();
    }
    return cached;
}
} // namespace

/*!
    Returns the response as sent: status line, headers (Content-Length added when missing, Date,
    Connection) and body. With \a keepAlive and a positive \a keepAliveSeconds, a Keep-Alive
    header tells the timeout.
*/
QByteArray HttpResponse::serialize(bool keepAlive, int keepAliveSeconds) const
{
    QByteArray out;
    out.reserve(256 + m_body.size());
    out += "HTTP/1.1 ";
    out += QByteArray::number(m_status);
    out += ' ';
    out += reasonPhrase(m_status);
    out += "\r\n";
    bool hasLength = false;
    for (const Header &h : m_headers) {
        hasLength = hasLength || h.first.compare("content-length", Qt::CaseInsensitive) == 0;
        out += h.first;
        out += ": ";
        out += h.second;
        out += "\r\n";
    }
    if (!hasLength && m_status != 204 && m_status != 304 && m_status >= 200) {
        out += "Content-Length: ";
        out += QByteArray::number(m_body.size());
        out += "\r\n";
    }
    out += "Date: ";
    out += httpDate();
    out += "\r\nConnection: ";
    if (keepAlive && keepAliveSeconds > 0) {
        out += "keep-alive\r\nKeep-Alive: timeout=";
        out += QByteArray::number(keepAliveSeconds);
        out += "\r\n\r\n";
    } else {
        out += keepAlive ? "keep-alive\r\n\r\n" : "close\r\n\r\n";
    }
    out += m_body;
    return out;
}

} // namespace SocketIO
