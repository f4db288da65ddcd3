#include "adapters/sessionawareadapter_p.h"

#include <QtCore/QDateTime>

namespace SocketIO {

namespace {
bool shouldInclude(const QSet<QString> &sessionRooms, const BroadcastOptions &options)
{
    const bool included = options.rooms().isEmpty() || sessionRooms.intersects(options.rooms());
    const bool excluded = sessionRooms.intersects(options.except());
    return included && !excluded;
}

// yeast: a time-based id in base 64, made unique within a millisecond by a suffix.
QString encode64(quint64 value)
{
    static const char alphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
    QString out;
    do {
        out.prepend(QLatin1Char(alphabet[value % 64]));
        value /= 64;
    } while (value);
    return out;
}
} // namespace

SessionAwareAdapter::SessionAwareAdapter(Namespace *nsp, int maxDisconnectionDuration)
    : Adapter(nsp)
    , m_maxDisconnectionDuration(maxDisconnectionDuration)
{
    m_cleanup.setInterval(60 * 1000);
    connect(&m_cleanup, &QTimer::timeout, this, &SessionAwareAdapter::expire);
    m_cleanup.start();
}

QString SessionAwareAdapter::nextOffset()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QString time = encode64(quint64(now));
    if (now != m_lastTime) {
        m_lastTime = now;
        m_seed = 0;
        return time;
    }
    return time + u'.' + encode64(m_seed++);
}

void SessionAwareAdapter::broadcast(const Packet &packet, const BroadcastOptions &options)
{
    const bool isEvent = packet.type == Packet::Type::Event;
    if (!isEvent || packet.hasId() || options.flags().isVolatile()) {
        Adapter::broadcast(packet, options);
        return;
    }
    // The offset travels as the last argument; the client keeps it to resume from.
    Packet stored = packet;
    QVariantList data = packet.data.toList();
    const QString id = nextOffset();
    data.append(id);
    stored.data = data;
    m_packets.append({id, options, data, QDateTime::currentMSecsSinceEpoch()});
    Adapter::broadcast(stored, options);
}

void SessionAwareAdapter::persistSession(const Session &session)
{
    Session copy = session;
    copy.setDisconnectedAt(QDateTime::currentMSecsSinceEpoch());
    m_sessions.insert(copy.pid(), copy);
}

std::optional<Session> SessionAwareAdapter::restoreSession(const QString &pid,
                                                           const QString &offset)
{
    const auto it = m_sessions.find(pid);
    if (it == m_sessions.end())
        return std::nullopt;
    if (it->disconnectedAt() + m_maxDisconnectionDuration < QDateTime::currentMSecsSinceEpoch()) {
        m_sessions.erase(it);
        return std::nullopt;
    }
    qsizetype index = -1;
    for (qsizetype i = 0; i < m_packets.size(); ++i) {
        if (m_packets.at(i).id == offset) {
            index = i;
            break;
        }
    }
    if (index < 0)
        return std::nullopt;
    Session session = *it;
    QList<QVariantList> missed = session.missedPackets();
    for (qsizetype i = index + 1; i < m_packets.size(); ++i) {
        if (shouldInclude(session.rooms(), m_packets.at(i).options))
            missed.append(m_packets.at(i).data);
    }
    session.setMissedPackets(missed);
    return session;
}

void SessionAwareAdapter::expire()
{
    const qint64 threshold = QDateTime::currentMSecsSinceEpoch() - m_maxDisconnectionDuration;
    m_sessions.removeIf(
        [threshold](const auto &it) { return it.value().disconnectedAt() < threshold; });
    qsizetype drop = 0;
    while (drop < m_packets.size() && m_packets.at(drop).emittedAt < threshold)
        ++drop;
    m_packets.remove(0, drop);
}

} // namespace SocketIO
