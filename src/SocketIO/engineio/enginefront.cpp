#include "engineio/enginefront_p.h"

#include "engineio/engineserver_p.h"
#include "http/compression_p.h"
#include "http/httpfront_p.h"

#include <QtNetwork/QTcpSocket>

namespace SocketIO {

EngineFront::EngineFront(EngineServer *engine)
    : m_d(EngineServerPrivate::get(engine))
{}

void EngineFront::setInterceptor(EngineServer::RequestHandler interceptor)
{
    m_d->interceptor = std::move(interceptor);
}

void EngineFront::setGate(EngineServer::AllowRequest gate)
{
    m_d->gate = std::move(gate);
}

void EngineFront::setAcceptor(std::function<void(QTcpSocket *)> acceptor)
{
    m_d->acceptor = std::move(acceptor);
}

void EngineFront::setIdPrefix(QChar prefix)
{
    m_d->idPrefix = prefix;
}

void EngineFront::setLegacy09(const EngineIO::Legacy09::Config &config)
{
    m_d->legacy09 = config;
}

QString EngineFront::routePath() const
{
    return m_d->routePath;
}

void EngineFront::serveHere(QTcpSocket *socket)
{
    if (m_d->front)
        m_d->front->adopt(socket);
    else
        socket->deleteLater();
}

void EngineFront::adopt(QTcpSocket *socket)
{
    m_d->adopt(socket);
}

void EngineFront::setCompressedBody(const HttpRequest &request, HttpResponse &response,
                                    const QByteArray &body)
{
    const Http::ContentEncoding encoding =
        Http::negotiateEncoding(request.header("accept-encoding"));
    if (encoding == Http::ContentEncoding::Identity) {
        response.setBody(body);
        return;
    }
    response.setHeader("Content-Encoding", Http::encodingName(encoding));
    response.setBody(Http::compress(body, encoding));
}

} // namespace SocketIO
