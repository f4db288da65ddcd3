#include "broadcast.h"

namespace SocketIO {

QmlBroadcast::QmlBroadcast(const BroadcastOperator &selection, QObject *owner)
    : QmlSender(owner)
    , m_selection(selection)
{}

QmlBroadcast::~QmlBroadcast() = default;

QStringList QmlBroadcast::roomList(const QJSValue &rooms)
{
    if (rooms.isArray()) {
        QStringList list;
        const int length = rooms.property(QStringLiteral("length")).toInt();
        for (int i = 0; i < length; ++i)
            list.append(rooms.property(quint32(i)).toString());
        return list;
    }
    if (rooms.isUndefined() || rooms.isNull())
        return {};
    return {rooms.toString()};
}

QmlBroadcast *QmlBroadcast::to(const QJSValue &rooms) const
{
    return new QmlBroadcast(m_selection.to(roomList(rooms)), owner());
}

QmlBroadcast *QmlBroadcast::in(const QJSValue &rooms) const
{
    return to(rooms);
}

QmlBroadcast *QmlBroadcast::except(const QJSValue &rooms) const
{
    return new QmlBroadcast(m_selection.except(roomList(rooms)), owner());
}

QmlBroadcast *QmlBroadcast::timeout(int milliseconds) const
{
    return new QmlBroadcast(m_selection.timeout(milliseconds), owner());
}

QmlBroadcast *QmlBroadcast::compress(bool compress) const
{
    return new QmlBroadcast(m_selection.compress(compress), owner());
}

QmlBroadcast *QmlBroadcast::asVolatile() const
{
    return new QmlBroadcast(m_selection.asVolatile(), owner());
}

QmlBroadcast *QmlBroadcast::local() const
{
    return new QmlBroadcast(m_selection.local(), owner());
}

QStringList QmlBroadcast::allSockets() const
{
    const QSet<QString> ids = m_selection.allSockets();
    QStringList list(ids.cbegin(), ids.cend());
    list.sort();
    return list;
}

void QmlBroadcast::socketsJoin(const QJSValue &rooms) const
{
    m_selection.socketsJoin(roomList(rooms));
}

void QmlBroadcast::socketsLeave(const QJSValue &rooms) const
{
    m_selection.socketsLeave(roomList(rooms));
}

void QmlBroadcast::disconnectSockets(bool close) const
{
    m_selection.disconnectSockets(close);
}

QmlSender::AckStyle QmlBroadcast::ackStyle() const
{
    return AckStyle::Responses;
}

QString QmlBroadcast::refusal(const QString &event) const
{
    // The reference times such a broadcast out at once; saying why helps more.
    if (m_selection.flags().timeout() < 0)
        return QStringLiteral("a broadcast with acknowledgements needs timeout(ms) first "
                              "(\"%1\")")
            .arg(event);
    return QmlSender::refusal(event);
}

bool QmlBroadcast::send(const QString &event, const QVariantList &args, QObject *context,
                        AckCallback callback)
{
    if (callback && m_selection.flags().timeout() < 0)
        return false;
    return callback ? m_selection.emitEvent(event, args, context, std::move(callback))
                    : m_selection.emitEvent(event, args);
}

} // namespace SocketIO
