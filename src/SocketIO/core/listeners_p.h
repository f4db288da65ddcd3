// Shared by the server's and the client's sockets: per-event handlers, catch-all listeners
// with ids, and the QFuture form of an emit with acknowledgement.
#pragma once

#include "core/guarded_p.h"
#include <SocketIO/callbacks.h>

#include <QtCore/QFuture>
#include <QtCore/QList>
#include <QtCore/QPointer>
#include <QtCore/QPromise>

namespace SocketIO {

// onAny / prependAny / offAny (and the outgoing ones): each listener has an id for removal,
// and is skipped once its context object is gone.
template<typename Handler> class ListenerList
{
public:
    int append(QObject *context, Handler handler)
    {
        return add(context, std::move(handler), false);
    }
    int prepend(QObject *context, Handler handler)
    {
        return add(context, std::move(handler), true);
    }
    // -1 removes them all.
    void remove(int id)
    {
        if (id < 0)
            m_items.clear();
        else
            m_items.removeIf([id](const Item &item) { return item.id == id; });
    }
    bool isEmpty() const { return m_items.isEmpty(); }
    template<typename... Args> void notify(const Args &...args) const
    {
        const auto items = m_items; // a listener may change the list
        for (const Item &item : items)
            item.handler(args...);
    }

private:
    struct Item
    {
        int id;
        Guarded<Handler> handler;
    };
    int add(QObject *context, Handler handler, bool front)
    {
        const int id = m_nextId++;
        Item item{id, {context, std::move(handler)}};
        if (front)
            m_items.prepend(std::move(item));
        else
            m_items.append(std::move(item));
        return id;
    }

    QList<Item> m_items;
    int m_nextId = 1;
};

// on(event) / off(event) of the sockets (and the namespace's server-side events): handlers
// by event name, each skipped once its context object is gone.
class EventHandlers
{
public:
    using Handler = std::function<void(const QVariantList &args, const Ack &ack)>;

    void add(const QString &event, QObject *context, Handler handler)
    {
        m_items.append({event, {context, std::move(handler)}});
    }
    void remove(const QString &event)
    {
        m_items.removeIf([&event](const Item &item) { return item.event == event; });
    }
    // Runs the handlers of `event` over a snapshot (a handler may change the list; cheap,
    // the list is implicitly shared), and stops once `owner` is gone.
    void dispatch(const QString &event, const QVariantList &args, const Ack &ack,
                  const QPointer<QObject> &owner) const
    {
        const auto items = m_items;
        for (const Item &item : items) {
            if (!owner)
                return;
            if (item.event == event)
                item.handler(args, ack);
        }
    }

private:
    struct Item
    {
        QString event;
        Guarded<Handler> handler;
    };
    QList<Item> m_items;
};

// The callback of ackFuture(), which settles its future: the acknowledgement's arguments, or
// a TimeoutError (with the responses that did arrive). A socket can tell it apart
// (isFutureAck()): like the reference's emitWithAck(), it always takes an error, even
// without a timeout.
struct FutureAck
{
    std::shared_ptr<QPromise<QVariantList>> promise;

    void operator()(const QString &error, const QVariantList &args) const
    {
        if (!error.isEmpty())
            promise->setException(TimeoutError(args));
        else
            promise->addResult(args);
        promise->finish();
    }
};

inline bool isFutureAck(const AckCallback &callback)
{
    return callback.target<FutureAck>() != nullptr;
}

// Runs `send` with a FutureAck and returns its future. A refused send (reserved event name)
// fails the future at once.
inline QFuture<QVariantList> ackFuture(const std::function<bool(AckCallback)> &send)
{
    auto promise = std::make_shared<QPromise<QVariantList>>();
    promise->start();
    QFuture<QVariantList> future = promise->future();
    const bool sent = send(FutureAck{promise});
    if (!sent) {
        promise->setException(std::make_exception_ptr(QUnhandledException()));
        promise->finish();
    }
    return future;
}

} // namespace SocketIO
