// HTTP long-polling: GET requests carry packets to the client, POST requests from it.
#pragma once

#include "engineio/transport_p.h"
#include "httprequest.h"

#include <QtCore/QPointer>

namespace SocketIO {
class EngineServerPrivate;
namespace Http {
class Connection;
}
} // namespace SocketIO

namespace SocketIO::EngineIO {

class PollingTransport : public Transport
{
    Q_OBJECT
public:
    PollingTransport(EngineServerPrivate *server, const Protocol &protocol, QObject *parent);
    ~PollingTransport() override;

    QString name() const override { return QStringLiteral("polling"); }
    bool isWritable() const override { return !m_get.isNull() && !m_closing; }
    void send(const QList<Packet> &packets) override;
    void close() override;

    // A GET or POST for this session.
    void handleRequest(Http::Connection *connection, const HttpRequest &request);

private:
    void onPoll(Http::Connection *connection, const HttpRequest &request);
    void onData(Http::Connection *connection, const HttpRequest &request);
    void respond(Http::Connection *connection, const HttpRequest &request, HttpResponse &response);

    EngineServerPrivate *const m_server;
    QPointer<Http::Connection> m_get;
    HttpRequest m_getRequest;
    bool m_closing = false;
    bool m_shouldClose = false;
    static constexpr int CloseTimeout = 30'000; // ms, the reference's closeTimeout
};

} // namespace SocketIO::EngineIO
