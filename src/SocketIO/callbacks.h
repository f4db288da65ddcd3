#pragma once

#include "socketio_export.h"

#include <QtCore/QException>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QVariant>

#include <functional>
#include <memory>

namespace SocketIO {

// The flags of one emit: a socket's, a broadcast's, a client socket's.
struct SOCKETIO_EXPORT BroadcastFlags
{
    bool isVolatile = false;
    bool compress = true;
    //! Only this server's sockets, when an adapter joins several servers (default false).
    bool local = false;
    int timeout = -1; // ms; -1 for none
    bool expectSingleResponse = false;
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
