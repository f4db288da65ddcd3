// Shared by the server's and the client's sockets: catch-all listeners with ids, and the
// QFuture form of an emit with acknowledgement.
#pragma once

#include "broadcastoperator.h"
#include "callbacks.h"

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
        for (const Item &item : items) {
            if (!item.hasContext || item.context)
                item.handler(args...);
        }
    }

private:
    struct Item
    {
        int id;
        QPointer<QObject> context;
        bool hasContext;
        Handler handler;
    };
    int add(QObject *context, Handler handler, bool front)
    {
        const int id = m_nextId++;
        Item item{id, context, context != nullptr, std::move(handler)};
        if (front)
            m_items.prepend(std::move(item));
        else
            m_items.append(std::move(item));
        return id;
    }

    QList<Item> m_items;
    int m_nextId = 1;
};

// Runs `send` with a callback that settles the returned future: the acknowledgement's
// arguments, or a TimeoutError (with the responses that did arrive). A refused send
// (reserved event name) fails the future at once.
inline QFuture<QVariantList> ackFuture(const std::function<bool(AckCallback)> &send)
{
    auto promise = std::make_shared<QPromise<QVariantList>>();
    promise->start();
    QFuture<QVariantList> future = promise->future();
    const bool sent = send([promise](const QString &error, const QVariantList &args) {
        if (!error.isEmpty())
            promise->setException(TimeoutError(args));
        else
            promise->addResult(args);
        promise->finish();
    });
    if (!sent) {
        promise->setException(std::make_exception_ptr(QUnhandledException()));
        promise->finish();
    }
    return future;
}

} // namespace SocketIO
