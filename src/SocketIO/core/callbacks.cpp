#include "callbacks.h"

#include <QtCore/QPointer>

namespace SocketIO {

/*!
    \class SocketIO::Ack
    \inmodule SocketIO
    \brief The acknowledgement of one incoming event, callable once.
*/

struct Ack::State
{
    Sender sender;
    QPointer<QObject> context;
    bool hasContext = false;
    bool sent = false;
};

Ack::Ack(Sender sender)
    : m_state(std::make_shared<State>(State{std::move(sender), {}, false, false}))
{}

Ack::Ack(QObject *context, Sender sender)
    : m_state(std::make_shared<State>(State{std::move(sender), context, context != nullptr, false}))
{}

bool Ack::isSent() const
{
    return m_state && m_state->sent;
}

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

struct Next::State
{
    Decide decide;
    bool called = false;
};

Next::Next(Decide decide)
    : m_state(std::make_shared<State>(State{std::move(decide), false}))
{}

void Next::operator()() const
{
    if (!m_state || m_state->called)
        return;
    m_state->called = true;
    m_state->decide(true, {}, {});
}

void Next::operator()(const QString &message, const QVariant &data) const
{
    if (!m_state || m_state->called)
        return;
    m_state->called = true;
    m_state->decide(false, message, data);
}

} // namespace SocketIO
