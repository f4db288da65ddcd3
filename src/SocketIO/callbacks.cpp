#include "callbacks.h"

#include <QtCore/QPointer>

namespace SocketIO {

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
    Sender sender;
    QPointer<QObject> context;
    bool hasContext = false;
    bool sent = false;
};

/*!
    Constructs an acknowledgement that calls \a sender on its first call. Copies share that
    state: only the first call of any copy counts.
*/
Ack::Ack(Sender sender)
    : m_state(std::make_shared<State>(State{std::move(sender), {}, false, false}))
{}

/*!
    The same, dropped once \a context is destroyed.
*/
Ack::Ack(QObject *context, Sender sender)
    : m_state(std::make_shared<State>(State{std::move(sender), context, context != nullptr, false}))
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
    if (m_state->hasContext && !m_state->context)
        return;
    if (m_state->sender)
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

} // namespace SocketIO
