#include "websocket/poller_p.h"

#include <QtCore/QSocketNotifier>
#include <QtCore/QThreadStorage>

#include <sys/epoll.h>
#include <unistd.h>

namespace SocketIO::WebSocket {

Poller *Poller::forCurrentThread()
{
    // Owned by the thread's storage: deleted when the thread ends.
    static QThreadStorage<Poller *> storage;
    if (!storage.hasLocalData()) {
        auto *poller = new Poller;
        if (poller->m_epoll < 0) {
            delete poller;
            poller = nullptr;
        }
        storage.setLocalData(poller);
    }
    return storage.localData();
}

Poller::Poller()
    : m_epoll(::epoll_create1(EPOLL_CLOEXEC))
{
    if (m_epoll < 0)
        return;
    m_notifier = std::make_unique<QSocketNotifier>(m_epoll, QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &Poller::dispatch);
}

Poller::~Poller()
{
    // The thread ends; its PassEnd may have gone first.
    if (m_flushScheduled && m_passEnd)
        m_passEnd->cancel(this);
    m_notifier.reset();
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool Poller::add(int fd, Watcher *watcher)
{
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.fd = fd;
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) != 0)
        return false;
    if (fd >= m_watchers.size())
        m_watchers.resize(fd + 1);
    m_watchers[fd] = watcher;
    return true;
}

void Poller::setWantWrite(int fd, bool want)
{
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0);
    event.data.fd = fd;
    ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event);
}

void Poller::remove(int fd)
{
    if (!watcherOf(fd))
        return;
    m_watchers[fd] = nullptr;
    ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
}

void Poller::scheduleFlush(int fd)
{
    m_flushes.append(fd);
    if (m_dispatching || m_flushScheduled)
        return;
    m_flushScheduled = true;
    m_passEnd->schedule(this);
}

void Poller::runAtPassEnd()
{
    m_flushScheduled = false;
    flushScheduled();
}

void Poller::flushScheduled()
{
    // Flushing never schedules again (a connection that cannot send everything waits for
    // EPOLLOUT instead), so one swap takes everything. Both lists keep their capacity.
    m_flushing.swap(m_flushes);
    for (int fd : std::as_const(m_flushing)) {
        // A descriptor closed meanwhile has no watcher, or a new one with nothing queued.
        if (Watcher *watcher = watcherOf(fd))
            watcher->flush();
    }
    m_flushing.clear();
}

void Poller::dispatch()
{
    constexpr int Batch = 256;
    epoll_event events[Batch];
    // Level-triggered: what is left for later is reported again on the next pass.
    const int n = ::epoll_wait(m_epoll, events, Batch, 0);
    m_dispatching = true;
    for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        // A watcher may go away while an earlier one is served: look it up each time.
        if ((events[i].events & EPOLLOUT)) {
            if (Watcher *watcher = watcherOf(fd))
                watcher->writable();
        }
        if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
            if (Watcher *watcher = watcherOf(fd))
                watcher->readable();
        }
    }
    m_dispatching = false;
    flushScheduled();
}

} // namespace SocketIO::WebSocket
