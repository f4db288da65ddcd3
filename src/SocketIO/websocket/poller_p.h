// One epoll set per thread for the lean engine's connections, watched by a single
// QSocketNotifier. Qt's event dispatchers poll every notifier on each pass (poll(2) over all
// descriptors); with thousands of connections that scan costs more than the traffic. Here
// the dispatcher sees one descriptor, and epoll reports only the ready ones.
#pragma once

#include <QtCore/QHash>
#include <QtCore/QObject>

#include <memory>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

namespace SocketIO::WebSocket {

class Poller : public QObject
{
    Q_OBJECT
public:
    class Watcher
    {
    public:
        virtual ~Watcher() = default;
        virtual void readable() = 0;
        virtual void writable() = 0;
    };

    // The poller of the calling thread; null when epoll is not available.
    static Poller *forCurrentThread();

    bool add(int fd, Watcher *watcher);
    void setWantWrite(int fd, bool want);
    void remove(int fd);

    ~Poller() override;

private:
    Poller();
    void dispatch();

    int m_epoll = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QHash<int, Watcher *> m_watchers;
};

} // namespace SocketIO::WebSocket
