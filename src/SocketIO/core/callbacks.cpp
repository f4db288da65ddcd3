#include "callbacks.h"

#include "core/ackregistry_p.h"
#include "core/guarded_p.h"
#include "core/shareddata_p.h"

#include <QtCore/QBasicTimer>
#include <QtCore/QPointer>
#include <QtCore/QTimerEvent>

#include <chrono>
#include <limits>
#include <map>
#include <optional>

namespace SocketIO {

class BroadcastFlagsData : public QSharedData
{
public:
    bool isVolatile = false;
    bool compressed = true;
    bool local = false;
    int timeout = -1;
    bool expectSingleResponse = false;

    bool operator==(const BroadcastFlagsData &other) const
    {
        return isVolatile == other.isVolatile && compressed == other.compressed &&
               local == other.local && timeout == other.timeout &&
               expectSingleResponse == other.expectSingleResponse;
    }
};

/*!
    \class SocketIO::BroadcastFlags
    \inmodule SocketIO
    \brief The flags of one emit: a socket's, a broadcast's, a client socket's.

    An implicitly shared Q_GADGET. A value with every flag at its default holds no data, so an
    emit that sets no flag allocates nothing; Emitter and BroadcastOperator set them fluently.
*/

/*!
    Constructs a value with every field at its default; it allocates nothing.
*/
BroadcastFlags::BroadcastFlags() noexcept = default;

/*!
    Constructs a copy of \a other; the data is shared until one of them changes.
*/
BroadcastFlags::BroadcastFlags(const BroadcastFlags &other) noexcept = default;

/*!
    Move-constructs a value from \a other, which is left with the defaults.
*/
BroadcastFlags::BroadcastFlags(BroadcastFlags &&other) noexcept = default;

/*!
    Assigns \a other to this value and returns a reference to it.
*/
BroadcastFlags &BroadcastFlags::operator=(const BroadcastFlags &other) noexcept = default;

/*!
    Move-assigns \a other to this value and returns a reference to it.
*/
BroadcastFlags &BroadcastFlags::operator=(BroadcastFlags &&other) noexcept = default;

/*!
    Destroys the value.
*/
BroadcastFlags::~BroadcastFlags() = default;

/*!
    \fn void BroadcastFlags::swap(BroadcastFlags &other)

    Swaps this value with \a other; never fails.
*/

/*!
    \property BroadcastFlags::isVolatile

    \brief whether the event may be lost when the recipient's transport is not writable (the
   reference's \c volatile flag; false by default).
*/

/*!
    Returns whether the event may be lost when the recipient's transport is not writable (the
   reference's \c volatile flag; false by default).
*/
bool BroadcastFlags::isVolatile() const
{
    return d ? d->isVolatile : false;
}

/*!
    Sets whether the emit is volatile to \a isVolatile.
*/
void BroadcastFlags::setVolatile(bool isVolatile)
{
    if (!d && isVolatile == false)
        return; // the defaults stay unallocated
    detachedData(d)->isVolatile = isVolatile;
}

/*!
    \property BroadcastFlags::compressed

    \brief whether the payload may be compressed (permessage-deflate, HTTP compression; true by
   default).
*/

/*!
    Returns whether the payload may be compressed (permessage-deflate, HTTP compression; true by
   default).
*/
bool BroadcastFlags::isCompressed() const
{
    return d ? d->compressed : true;
}

/*!
    Sets whether the payload may be compressed to \a compressed.
*/
void BroadcastFlags::setCompressed(bool compressed)
{
    if (!d && compressed == true)
        return; // the defaults stay unallocated
    detachedData(d)->compressed = compressed;
}

/*!
    \property BroadcastFlags::local

    \brief whether only this server's sockets are reached, when an adapter joins several servers
   (false by default).
*/

/*!
    Returns whether only this server's sockets are reached, when an adapter joins several servers
   (false by default).
*/
bool BroadcastFlags::isLocal() const
{
    return d ? d->local : false;
}

/*!
    Sets whether the emit stays on this server to \a local.
*/
void BroadcastFlags::setLocal(bool local)
{
    if (!d && local == false)
        return; // the defaults stay unallocated
    detachedData(d)->local = local;
}

/*!
    \property BroadcastFlags::timeout

    \brief how long to wait for acknowledgements, in milliseconds; -1 (the default) for no limit.
*/

/*!
    Returns how long to wait for acknowledgements, in milliseconds; -1 (the default) for no limit.
*/
int BroadcastFlags::timeout() const
{
    return d ? d->timeout : -1;
}

/*!
    Sets the acknowledgement timeout to \a milliseconds.
*/
void BroadcastFlags::setTimeout(int milliseconds)
{
    if (!d && milliseconds == -1)
        return; // the defaults stay unallocated
    detachedData(d)->timeout = milliseconds;
}

/*!
    \property BroadcastFlags::expectSingleResponse

    \brief whether the acknowledgement callback gets the single response rather than a list (an emit
   to one remote socket; false by default).
*/

/*!
    Returns whether the acknowledgement callback gets the single response rather than a list (an
   emit to one remote socket; false by default).
*/
bool BroadcastFlags::expectsSingleResponse() const
{
    return d ? d->expectSingleResponse : false;
}

/*!
    Sets whether one response is expected to \a single.
*/
void BroadcastFlags::setExpectSingleResponse(bool single)
{
    if (!d && single == false)
        return; // the defaults stay unallocated
    detachedData(d)->expectSingleResponse = single;
}

/*!
    Returns true when every field of this value equals that of \a other.
*/
bool BroadcastFlags::operator==(const BroadcastFlags &other) const
{
    return d == other.d || sharedData(d) == sharedData(other.d);
}

/*!
    \fn bool BroadcastFlags::operator!=(const BroadcastFlags &other) const

    Returns true when a field of this value differs from that of \a other.
*/

/*!
    \class TimeoutError

    \brief The exception of an acknowledgement future that timed out: the future of
    emitWithAck() fails with it. For a broadcast, responses() holds what did arrive.
*/

/*!
    \fn void TimeoutError::raise() const

    Throws a copy of this exception (reimplemented from QException).
*/

/*!
    \fn TimeoutError *TimeoutError::clone() const

    Returns a copy of this exception, owned by the caller (reimplemented from QException).
*/

/*!
    \fn QString TimeoutError::message() const

    Returns "operation has timed out", the reference's message.
*/

/*!
    \fn QVariantList TimeoutError::responses() const

    Returns the responses that arrived before the timeout (broadcasts); empty for one socket.
*/

/*!
    Constructs the exception with the \a responses that arrived in time.
*/
TimeoutError::TimeoutError(QVariantList responses)
    : m_responses(std::move(responses))
{}

/*!
    \class SocketIO::Ack
    \inmodule SocketIO
    \brief The acknowledgement of one incoming event, callable once.
*/

/*!
    \typedef Ack::Sender

    Sends the reply's \a args to the peer.
*/

/*!
    \typedef AckCallback

    The result of an acknowledgement: \a error is empty and \a args holds the reply, or \a error
    is "operation has timed out".
*/

/*!
    \fn bool Ack::isValid() const

    Returns true when the sender asked for an acknowledgement (a default-constructed Ack is
    invalid).
*/

struct Ack::State
{
    Guarded<Sender> sender;
    bool sent = false;
};

/*!
    Constructs an acknowledgement that calls \a sender on its first call. Copies share that
    state: only the first call of any copy counts.
*/
Ack::Ack(Sender sender)
    : m_state(std::make_shared<State>(State{{nullptr, std::move(sender)}, false}))
{}

/*!
    The same, dropped once \a context is destroyed.
*/
Ack::Ack(QObject *context, Sender sender)
    : m_state(std::make_shared<State>(State{{context, std::move(sender)}, false}))
{}

/*!
    Returns true once the acknowledgement was called.
*/
bool Ack::isSent() const
{
    return m_state && m_state->sent;
}

/*!
    Sends the reply with \a args. Later calls, and calls after the socket or the context went
    away, do nothing.
*/
void Ack::operator()(const QVariantList &args) const
{
    if (!m_state || m_state->sent)
        return;
    m_state->sent = true;
    m_state->sender(args);
}

/*!
    \class SocketIO::Next
    \inmodule SocketIO
    \brief Lets a middleware accept or refuse, once.
*/

/*!
    \typedef Next::Decide

    Receives the middleware's decision: \a accepted, or not with \a message and \a data.
*/

struct Next::State
{
    Decide decide;
    bool called = false;
};

/*!
    Constructs a continuation that hands the first decision to \a decide.
*/
Next::Next(Decide decide)
    : m_state(std::make_shared<State>(State{std::move(decide), false}))
{}

/*!
    Accepts: the next middleware runs, or the connection or event goes on.
*/
void Next::operator()() const
{
    if (!m_state || m_state->called)
        return;
    m_state->called = true;
    m_state->decide(true, {}, {});
}

/*!
    Refuses with \a message and \a data (for a connection, the CONNECT_ERROR the client gets).
    Only the first call of next counts.
*/
void Next::operator()(const QString &message, const QVariant &data) const
{
    if (!m_state || m_state->called)
        return;
    m_state->called = true;
    m_state->decide(false, message, data);
}

namespace {
qint64 nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}
} // namespace

using Deadlines = std::multimap<qint64, qint64>; // steady ms -> id
// The "deadline" of an entry told of failures that has no timeout: last in order, no timer.
constexpr qint64 NoDeadline = std::numeric_limits<qint64>::max();

struct AckRegistry::Entry
{
    AckCallback callback;
    QPointer<QObject> context;
    bool hasContext = false;
    bool tellsTimeout = false; // else forgotten silently at its deadline, if it has one
    std::optional<Deadlines::iterator> deadline;
};

// Deadlines in order, so that each operation costs a look-up: one timer for the earliest
// deadline that must be told; the silent ones are checked when the registry is next used.
class AckRegistry::Impl : public QObject
{
public:
    explicit Impl(QObject *owner)
        : QObject(owner)
    {}

    QHash<qint64, Entry> entries;
    Deadlines told;
    Deadlines quiet;
    std::function<void(qint64)> expiredHandler;
    QBasicTimer timer;
    qint64 armedFor = -1;

    void armFor(qint64 deadline)
    {
        if (deadline == NoDeadline) { // the earliest told entry only fails with failTimed()
            armedFor = -1;
            timer.stop();
            return;
        }
        armedFor = deadline;
        timer.start(int(qMax<qint64>(0, deadline - nowMs())), Qt::PreciseTimer, this);
    }
    void insert(qint64 id, Entry entry, int timeoutMs)
    {
        insertAt(id, std::move(entry), timeoutMs >= 0 ? nowMs() + timeoutMs : -1);
    }
    // With an absolute deadline (none when negative).
    void insertAt(qint64 id, Entry entry, qint64 deadline)
    {
        remove(id); // a reused id replaces the entry
        if (deadline >= 0) {
            Deadlines &deadlines = entry.tellsTimeout ? told : quiet;
            entry.deadline = deadlines.emplace(deadline, id);
            if (entry.tellsTimeout && (armedFor < 0 || deadline < armedFor))
                armFor(deadline);
        }
        entries.insert(id, std::move(entry));
    }
    // Takes `id`'s entry out, with its deadline; none when nothing waits for it.
    std::optional<Entry> take(qint64 id)
    {
        const auto it = entries.find(id);
        if (it == entries.end())
            return std::nullopt;
        Entry entry = std::move(it.value());
        entries.erase(it);
        if (entry.deadline)
            (entry.tellsTimeout ? told : quiet).erase(*entry.deadline);
        return entry;
    }
    void remove(qint64 id) { take(id); }
    // Forgets the silent entries past their deadline.
    void purgeQuiet()
    {
        if (quiet.empty())
            return;
        const qint64 now = nowMs();
        while (!quiet.empty() && quiet.begin()->first <= now)
            remove(quiet.begin()->second);
    }
    static void tell(const Entry &e, const QString &error, const QVariantList &args)
    {
        if (!e.hasContext || e.context)
            e.callback(error, args);
    }

protected:
    void timerEvent(QTimerEvent *event) override
    {
        if (event->timerId() != timer.timerId())
            return QObject::timerEvent(event);
        // Taken out first: a callback may add, resolve, or destroy the owner.
        const qint64 now = nowMs();
        QList<std::pair<qint64, Entry>> expired;
        while (!told.empty() && told.begin()->first <= now) {
            const qint64 id = told.begin()->second;
            expired.append({id, *take(id)});
        }
        purgeQuiet();
        armedFor = -1;
        timer.stop();
        if (!told.empty())
            armFor(told.begin()->first);
        QPointer<Impl> self(this);
        for (const auto &[id, entry] : std::as_const(expired)) {
            if (self && expiredHandler)
                expiredHandler(id);
        }
        for (const auto &[id, entry] : std::as_const(expired))
            tell(entry, QStringLiteral("operation has timed out"), {});
    }
};

AckRegistry::AckRegistry(QObject *owner)
    : m_owner(owner)
{}

AckRegistry::~AckRegistry() = default;

AckRegistry::Impl &AckRegistry::impl()
{
    if (!d)
        d.reset(new Impl(m_owner));
    return *d;
}

void AckRegistry::add(qint64 id, QObject *context, AckCallback callback, int timeoutMs,
                      bool toldOfFailure)
{
    Impl &i = impl();
    i.purgeQuiet();
    const bool told = timeoutMs >= 0 || toldOfFailure;
    Entry entry{std::move(callback), context, context != nullptr, told, {}};
    if (timeoutMs < 0 && told)
        i.insertAt(id, std::move(entry), NoDeadline);
    else
        i.insert(id, std::move(entry), timeoutMs);
}

void AckRegistry::addQuiet(qint64 id, Response response, int timeoutMs)
{
    Impl &i = impl();
    i.purgeQuiet();
    Entry entry;
    entry.callback = [response = std::move(response)](const QString &, const QVariantList &args) {
        response(args);
    };
    i.insert(id, std::move(entry), timeoutMs);
}

bool AckRegistry::resolve(qint64 id, const QVariantList &args)
{
    if (!d)
        return false;
    d->purgeQuiet();
    // The timer stays armed: if this was the earliest deadline, it fires once for nothing.
    const std::optional<Entry> entry = d->take(id);
    if (!entry)
        return false;
    Impl::tell(*entry, {}, args);
    return true;
}

bool AckRegistry::contains(qint64 id) const
{
    return d && d->entries.contains(id);
}

void AckRegistry::remove(qint64 id)
{
    if (d)
        d->remove(id);
}

void AckRegistry::failTimed(const QString &error, const std::function<bool(qint64 id)> &keep)
{
    if (!d)
        return;
    QList<qint64> ids;
    for (const auto &[deadline, id] : d->told) {
        if (!keep || !keep(id))
            ids.append(id);
    }
    QList<Entry> failed;
    for (const qint64 id : std::as_const(ids))
        failed.append(*d->take(id));
    d->timer.stop();
    d->armedFor = -1;
    if (!d->told.empty())
        d->armFor(d->told.begin()->first);
    for (const Entry &entry : std::as_const(failed))
        Impl::tell(entry, error, {});
}

void AckRegistry::moveTimedTo(AckRegistry &other)
{
    if (!d || d->told.empty())
        return;
    Impl &to = other.impl();
    to.purgeQuiet();
    while (!d->told.empty()) {
        const auto [deadline, id] = *d->told.begin();
        Entry entry = *d->take(id);
        entry.deadline.reset();
        to.insertAt(id, std::move(entry), deadline);
    }
    d->timer.stop();
    d->armedFor = -1;
}

void AckRegistry::setExpiredHandler(std::function<void(qint64)> handler)
{
    impl().expiredHandler = std::move(handler);
}

} // namespace SocketIO
