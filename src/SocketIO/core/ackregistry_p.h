// The one place acknowledgements wait: ids, pending answers, their timeouts and their cleanup.
// Used by the server Socket, the ClientSocket, broadcasts with acks and the cluster adapter's
// requests. One timer for all the entries of a registry (not one per ack); used on its
// owner's thread only. Destroyed with its owner's private part, before the owner's QObject.
#pragma once

#include "callbacks.h"

#include <QtCore/QHash>

#include <functional>
#include <memory>

namespace SocketIO {

class AckRegistry
{
public:
    using Response = std::function<void(const QVariantList &args)>;

    // The timer lives as a child of `owner` (when given), on its thread.
    explicit AckRegistry(QObject *owner = nullptr);
    ~AckRegistry();
    Q_DISABLE_COPY_MOVE(AckRegistry)

    qint64 nextId() { return m_nextId++; }

    // Waits for the answer to `id`. With `timeoutMs` >= 0, `callback` gets
    // "operation has timed out" when none came in time. Dropped once `context` is gone
    // (when one is given). An entry with a timeout, or `toldOfFailure`, is told by
    // failTimed() (the reference's withError acks).
    void add(qint64 id, QObject *context, AckCallback callback, int timeoutMs = -1,
             bool toldOfFailure = false);
    // Waits for the answer to `id` for `timeoutMs` (forever when negative) and then forgets it
    // without telling anyone: someone else reports the timeout (broadcasts). Needs no timer.
    void addQuiet(qint64 id, Response response, int timeoutMs);
    // Delivers the answer to `id`; false when nothing waits for it (unknown, or too late).
    bool resolve(qint64 id, const QVariantList &args);
    bool contains(qint64 id) const;
    void remove(qint64 id);
    // Tells every answer that has a timeout (or is toldOfFailure) `error` and forgets it,
    // except those `keep` says to keep waiting; the others stay.
    void failTimed(const QString &error, const std::function<bool(qint64 id)> &keep = {});
    // Hands every answer that has a timeout (or is toldOfFailure) to `other`, with its
    // deadline, where it still times out (its id must be unique there); the others stay.
    void moveTimedTo(AckRegistry &other);
    // Runs (before the callback is told) for each entry that timed out.
    void setExpiredHandler(std::function<void(qint64 id)> handler);

private:
    struct Entry;
    class Impl;
    Impl &impl();

    QObject *const m_owner;
    std::unique_ptr<Impl> d; // created on first use: most sockets never wait for an ack
    qint64 m_nextId = 0;
};

} // namespace SocketIO
