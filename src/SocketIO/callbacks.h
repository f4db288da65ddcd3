#pragma once

#include "socketio_export.h"

#include <QtCore/QException>
#include <QtCore/QObject>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QString>
#include <QtCore/QVariant>

#include <functional>
#include <memory>

namespace SocketIO {

class BroadcastFlagsData;

// The flags of one emit: a socket's, a broadcast's, a client socket's. Implicitly shared; the
// defaults allocate nothing.
class SOCKETIO_EXPORT BroadcastFlags
{
    Q_GADGET
    Q_PROPERTY(bool isVolatile READ isVolatile WRITE setVolatile)
    Q_PROPERTY(bool compressed READ isCompressed WRITE setCompressed)
    Q_PROPERTY(bool local READ isLocal WRITE setLocal)
    Q_PROPERTY(int timeout READ timeout WRITE setTimeout)
    Q_PROPERTY(bool expectSingleResponse READ expectsSingleResponse WRITE setExpectSingleResponse)
public:
    BroadcastFlags() noexcept;
    BroadcastFlags(const BroadcastFlags &other) noexcept;
    BroadcastFlags(BroadcastFlags &&other) noexcept;
    BroadcastFlags &operator=(const BroadcastFlags &other) noexcept;
    BroadcastFlags &operator=(BroadcastFlags &&other) noexcept;
    ~BroadcastFlags();
    void swap(BroadcastFlags &other) noexcept { d.swap(other.d); }

    bool isVolatile() const;
    void setVolatile(bool isVolatile);
    bool isCompressed() const;
    void setCompressed(bool compressed);
    bool isLocal() const;
    void setLocal(bool local);
    int timeout() const;
    void setTimeout(int milliseconds);
    bool expectsSingleResponse() const;
    void setExpectSingleResponse(bool single);

    bool operator==(const BroadcastFlags &other) const;
    bool operator!=(const BroadcastFlags &other) const { return !(*this == other); }

private:
    QSharedDataPointer<BroadcastFlagsData> d; // null: all defaults
};

// The failure of an acknowledgement that did not come in time. `responses` holds what did
// arrive (broadcasts).
class SOCKETIO_EXPORT TimeoutError : public QException
{
public:
    explicit TimeoutError(QVariantList responses = {});
    void raise() const override { throw *this; }
    TimeoutError *clone() const override { return new TimeoutError(*this); }
    QString message() const { return QStringLiteral("operation has timed out"); }
    QVariantList responses() const { return m_responses; }

private:
    QVariantList m_responses;
};

// The acknowledgement of an incoming event: call it once with the reply's arguments. Later
// calls, and calls after the socket went away, do nothing. Invalid when the sender asked
// for no acknowledgement.
class SOCKETIO_EXPORT Ack
{
public:
    using Sender = std::function<void(const QVariantList &args)>;

    Ack() = default;
    explicit Ack(Sender sender);
    // The same, dropped once `context` is gone.
    Ack(QObject *context, Sender sender);

    bool isValid() const { return bool(m_state); }
    bool isSent() const;
    void operator()(const QVariantList &args = {}) const;

private:
    struct State;
    std::shared_ptr<State> m_state;
};

// The continuation handed to a middleware: call next() to go on, or next(message, data) to
// refuse. Only the first call counts.
class SOCKETIO_EXPORT Next
{
public:
    using Decide = std::function<void(bool accepted, const QString &message, const QVariant &data)>;

    Next() = default;
    explicit Next(Decide decide);

    void operator()() const;
    void operator()(const QString &message, const QVariant &data = {}) const;

private:
    struct State;
    std::shared_ptr<State> m_state;
};

// The result of an acknowledgement with a timeout: `error` is empty, or
// "operation has timed out".
using AckCallback = std::function<void(const QString &error, const QVariantList &args)>;

} // namespace SocketIO

Q_DECLARE_SHARED(SocketIO::BroadcastFlags)
Q_DECLARE_METATYPE(SocketIO::BroadcastFlags)
