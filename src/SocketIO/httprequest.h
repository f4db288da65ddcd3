#pragma once

#include "socketio_export.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QUrl>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslCertificate>

namespace SocketIO {

class HttpRequestData;

// One parsed HTTP/1.1 request, as the HTTP front hands it to a handler. Implicitly shared:
// every session keeps its handshake request, and the Socket.IO socket on it the same one.
class SOCKETIO_EXPORT HttpRequest
{
public:
    using Header = std::pair<QByteArray, QByteArray>;

    HttpRequest();
    HttpRequest(const HttpRequest &other);
    HttpRequest(HttpRequest &&other) noexcept;
    HttpRequest &operator=(const HttpRequest &other);
    HttpRequest &operator=(HttpRequest &&other) noexcept;
    ~HttpRequest();

    QByteArray method() const;
    // The request target as sent ("/socket.io/?EIO=4&transport=polling").
    QByteArray target() const;
    QString path() const;
    QUrlQuery query() const;
    QString queryItem(const QString &key) const;
    QByteArray httpVersion() const;
    // Header names are lower-cased; repeated headers keep their order.
    QList<Header> headers() const;
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
    QByteArray body() const;
    QHostAddress peerAddress() const;
    quint16 peerPort() const;
    bool isSecure() const;
    // The certificate the client showed over TLS (null without one, or without TLS).
    QSslCertificate peerCertificate() const;
    bool keepAlive() const;
    bool isWebSocketUpgrade() const;

    void setMethod(const QByteArray &method);
    void setTarget(const QByteArray &target);
    void setHttpVersion(const QByteArray &version);
    void addHeader(const QByteArray &lowerCaseName, const QByteArray &value);
    void setBody(const QByteArray &body);
    void setPeer(const QHostAddress &address, quint16 port, bool secure);
    void setPeerCertificate(const QSslCertificate &certificate);

private:
    QSharedDataPointer<HttpRequestData> d;
};

// A response a request handler fills in.
class SOCKETIO_EXPORT HttpResponse
{
public:
    using Header = std::pair<QByteArray, QByteArray>;

    int statusCode() const { return m_status; }
    void setStatusCode(int status) { m_status = status; }
    QList<Header> headers() const { return m_headers; }
    QByteArray header(QByteArrayView name) const;
    // Replaces a header of that name (case-insensitive) or appends it.
    void setHeader(const QByteArray &name, const QByteArray &value);
    void addHeader(const QByteArray &name, const QByteArray &value);
    void removeHeader(QByteArrayView name);
    QByteArray body() const { return m_body; }
    void setBody(const QByteArray &body) { m_body = body; }

    static QByteArray reasonPhrase(int status);
    // Status line, headers and body, with Content-Length added when missing.
    QByteArray serialize(bool keepAlive, int keepAliveSeconds = 5) const;

private:
    int m_status = 200;
    QList<Header> m_headers;
    QByteArray m_body;
};

} // namespace SocketIO
