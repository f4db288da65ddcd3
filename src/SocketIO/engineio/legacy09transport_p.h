// The polling transports of Socket.IO 0.9: xhr-polling (a GET held up to pollingDuration, a
// POST per payload) and jsonp-polling (the GET answers a script call io.j[i](...), the POST
// sends the form field d). Their WebSocket uses the engine's WebSocket transports with the
// 0.9 Protocol.
#pragma once

#include "engineio/transport_p.h"
#include "httprequest.h"

#include <QtCore/QBasicTimer>
#include <QtCore/QPointer>

namespace SocketIO {
class EngineServerPrivate;
namespace Http {
class Connection;
}
} // namespace SocketIO

namespace SocketIO::EngineIO {

class Legacy09PollingTransport : public Transport
{
    Q_OBJECT
public:
    // `name` is "xhr-polling" or "jsonp-polling".
    Legacy09PollingTransport(EngineServerPrivate *server, const QString &name, QObject *parent);
    ~Legacy09PollingTransport() override;

    QString name() const override { return m_name; }
    bool isWritable() const override { return !m_get.isNull() && !m_closing; }
    void send(const QList<Packet> &packets) override;
    void close() override;
    // Replaced by the session's next transport: a GET still held is answered with a noop.
    void discard() override;

    // A GET or POST of this session.
    void handleRequest(Http::Connection *connection, const HttpRequest &request);
    // Answers a request in this transport's way: a script call for JSONP, text otherwise.
    static void respondText(EngineServerPrivate *server, Http::Connection *connection,
                            const HttpRequest &request, const QByteArray &text, bool jsonp);

private:
    void onPoll(Http::Connection *connection, const HttpRequest &request);
    void onData(Http::Connection *connection, const HttpRequest &request);
    void timerEvent(QTimerEvent *event) override;
    bool isJsonp() const { return m_name == u"jsonp-polling"; }

    EngineServerPrivate *const m_server;
    const QString m_name;
    QPointer<Http::Connection> m_get;
    HttpRequest m_getRequest;
    // pollingDuration while a GET is held (then answered with a noop); closeTimeout between
    // GETs (then the transport closes: the client did not come back).
    QBasicTimer m_pollTimer;
    QBasicTimer m_closeTimer;
    bool m_closing = false;
};

} // namespace SocketIO::EngineIO
