#include "server/workers_p.h"

#include "adapters/clusteradapter_p.h"
#include "engineio/enginefront_p.h"
#include "server.h"
#include "server/server_p.h"

#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QTcpSocket>

#include <utility>

namespace SocketIO {

namespace {
constexpr qint64 MaxRequestLine = 16 * 1024; // past this, the front answers the error
} // namespace

WorkerPool::WorkerPool(ServerPrivate *front, std::shared_ptr<ClusterBus> bus)
    : m_front(front)
    , m_bus(std::move(bus))
{}

WorkerPool::~WorkerPool()
{
    // Accepted, never routed: nobody else owns them.
    for (QTcpSocket *socket : std::exchange(m_pending, {})) {
        socket->disconnect(this);
        delete socket;
    }
    // Each worker's Server goes on its own thread, then the thread ends.
    forEachWorker([](Server *server) { delete server; });
    for (const Worker &worker : std::as_const(m_workers)) {
        worker.thread->quit();
        worker.thread->wait();
        delete worker.thread;
    }
}

void WorkerPool::start(int count, const std::function<void(Server *)> &setup)
{
    ServerOptions options = m_front->options;
    options.workers = 0;
    for (int i = 0; i < count; ++i) {
        Worker worker;
        worker.thread = new QThread;
        worker.thread->setObjectName(QStringLiteral("SocketIO worker %1").arg(i));
        worker.thread->start();
        auto *anchor = new QObject;
        anchor->moveToThread(worker.thread);
        QMetaObject::invokeMethod(
            anchor,
            [&] {
                worker.server = new Server(options);
                ServerPrivate *d = ServerPrivate::get(worker.server);
                EngineFront(d->engine).setIdPrefix(idPrefix(i));
                d->joinCluster(m_bus);
                d->prepare();
                if (setup)
                    setup(worker.server);
            },
            Qt::BlockingQueuedConnection);
        anchor->deleteLater();
        m_workers.append(worker);
    }
}

void WorkerPool::forEachWorker(const std::function<void(Server *)> &action) const
{
    for (const Worker &worker : m_workers) {
        Server *server = worker.server;
        QMetaObject::invokeMethod(
            server, [&action, server] { action(server); }, Qt::BlockingQueuedConnection);
    }
}

void WorkerPool::route(QTcpSocket *socket)
{
    // Wait for the request line, then decide; a client that never sends one is served here,
    // where the front's timeouts apply.
    m_pending.insert(socket);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { decide(socket); });
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        m_pending.remove(socket);
        socket->deleteLater();
    });
    // The pool's timer, not the socket's: the socket may be on another thread by then.
    QTimer::singleShot(m_front->options.engine.http.headersTimeout, this, [this, socket] {
        if (m_pending.contains(socket))
            serveHere(socket);
    });
    socket->setParent(nullptr);
    decide(socket);
}

void WorkerPool::decide(QTcpSocket *socket)
{
    const QByteArray head = socket->peek(MaxRequestLine);
    const qsizetype end = head.indexOf("\r\n");
    if (end < 0) {
        if (head.size() >= MaxRequestLine)
            serveHere(socket);
        return;
    }
    // "GET /socket.io/?EIO=4&transport=polling&sid=... HTTP/1.1"
    const QList<QByteArray> parts = head.left(end).split(' ');
    const QByteArray target = parts.value(1);
    const qsizetype query = target.indexOf('?');
    const QString path = QString::fromLatin1(target.left(query < 0 ? target.size() : query));
    const QString enginePath = EngineFront(m_front->engine).routePath();
    if (parts.size() != 3 || !path.startsWith(enginePath)) {
        serveHere(socket);
        return;
    }
    const QString sid = query < 0 ? QString()
                                  : QUrlQuery(QString::fromLatin1(target.mid(query + 1)))
                                        .queryItemValue(QStringLiteral("sid"));
    int index = sid.isEmpty() ? -1 : sid.at(0).unicode() - u'A';
    if (index < 0 || index >= m_workers.size()) {
        // A handshake (or a sid no worker issued, which its worker will refuse).
        index = m_next;
        m_next = (m_next + 1) % int(m_workers.size());
    }
    handOver(socket, index);
}

void WorkerPool::serveHere(QTcpSocket *socket)
{
    m_pending.remove(socket);
    socket->disconnect(this);
    EngineFront(m_front->engine).serveHere(socket);
}

void WorkerPool::handOver(QTcpSocket *socket, int index)
{
    m_pending.remove(socket);
    socket->disconnect(this);
    // Moved once the socket's own readyRead() has unwound: QAbstractSocket still touches
    // its notifiers after emitting it.
    QMetaObject::invokeMethod(
        this,
        [this, socket, index] {
            Server *server = m_workers.at(index).server;
            socket->moveToThread(m_workers.at(index).thread);
            QMetaObject::invokeMethod(
                server,
                [server, socket] { EngineFront(ServerPrivate::get(server)->engine).adopt(socket); },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

} // namespace SocketIO
