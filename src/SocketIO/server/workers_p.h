// ServerOptions::workers: worker threads, each with a Server of its own, and the routing of
// accepted connections to them. A request with a sid goes to the worker that the sid's first
// character names; anything else on the engine path goes to the workers in turn; other
// paths stay on the listening server (its request handler and client files).
#pragma once

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QSet>

#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QTcpSocket;
class QThread;
QT_END_NAMESPACE

namespace SocketIO {

class ClusterBus;
class Server;
class ServerPrivate;

class WorkerPool : public QObject
{
    Q_OBJECT
public:
    WorkerPool(ServerPrivate *front, std::shared_ptr<ClusterBus> bus);
    ~WorkerPool() override;

    // Starts the threads and runs `setup` on each worker's thread before it serves.
    void start(int count, const std::function<void(Server *worker)> &setup);
    // Takes an accepted socket: serves it here, or moves it to a worker.
    void route(QTcpSocket *socket);
    // Runs `action` on every worker's thread and waits for it.
    void forEachWorker(const std::function<void(Server *worker)> &action) const;

    // The first character of the sids of worker `index`.
    static QChar idPrefix(int index) { return QChar(u'A' + index); }

private:
    void decide(QTcpSocket *socket);
    void handOver(QTcpSocket *socket, int index);
    void serveHere(QTcpSocket *socket);

    struct Worker
    {
        QThread *thread = nullptr;
        Server *server = nullptr;
    };
    ServerPrivate *const m_front;
    std::shared_ptr<ClusterBus> m_bus;
    QList<Worker> m_workers;
    QSet<QTcpSocket *> m_pending; // accepted, request line not read yet
    int m_next = 0;
};

} // namespace SocketIO
