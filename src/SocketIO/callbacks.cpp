#include "callbacks.h"

#include "guarded_p.h"

namespace SocketIO {

/*!
    \class SocketIO::Ack
    \inmodule SocketIO
    \brief The acknowledgement of one incoming event, callable once.
*/

struct Ack::State
{
    Guarded<Sender> sender;
    bool sent = false;
};

Ack::Ack(Sender sender)
    : m_state(std::make_shared<State>(State{{nullptr, std::move(sender)}, false}))
{}

Ack::Ack(QObject *context, Sender sender)
    : m_state(std::make_shared<State>(State{{context, std::move(sender)}, false}))
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
