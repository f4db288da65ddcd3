// One epoll set per thread for the lean engine's connections, watched by a single
// QSocketNotifier. Qt's event dispatchers poll every notifier on each pass (poll(2) over all
// descriptors); with thousands of connections that scan costs more than the traffic. Here
// the dispatcher sees one descriptor, and epoll reports only the ready ones.
#pragma once

#include "core/passend_p.h"
#include "websocket/frame_p.h"

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>

#include <memory>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

namespace SocketIO::WebSocket {

class Poller : public QObject, private PassEnd::Task
{
    Q_OBJECT
public:
    class Watcher
    {
    public:
        virtual ~Watcher() = default;
        virtual void readable() = 0;
        virtual void writable() = 0;
        // Sends what was queued since the last flush.
        virtual void flush() = 0;
    };

    // The poller of the calling thread; null when epoll is not available.
    static Poller *forCurrentThread();

    bool add(int fd, Watcher *watcher);
    void setWantWrite(int fd, bool want);
    void remove(int fd);
    // Asks for the watcher of `fd` to be flushed at the end of the current pass (or, outside
    // a pass, once control returns to the event loop): replies written while one batch of
    // reads is served leave in one send per connection.
    void scheduleFlush(int fd);

    ~Poller() override;

    // The message list of the thread's last read, kept for its capacity by the sockets this
    // poller watches (LeanSocket::spareMessages()): one for the thread, not one per socket.
    QList<FrameReader::Message> spareMessages;

private:
    Poller();
    void dispatch();
    void flushScheduled();
    void runAtPassEnd() override;

    int m_epoll = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    Watcher *watcherOf(int fd) const
    {
        return fd < m_watchers.size() ? m_watchers.at(fd) : nullptr;
    }

    // By descriptor (descriptors are small and dense): no hashing on each event.
    QList<Watcher *> m_watchers;
    QList<int> m_flushes;
    QList<int> m_flushing; // the batch being flushed
    const QPointer<PassEnd> m_passEnd = PassEnd::forCurrentThread();
    bool m_dispatching = false;
    bool m_flushScheduled = false; // with m_passEnd
};

} // namespace SocketIO::WebSocket
