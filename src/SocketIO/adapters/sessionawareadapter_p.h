// The in-memory adapter with connection state recovery: keeps disconnected sessions and the
// packets broadcast since, for maxDisconnectionDuration.
#pragma once

#include "adapter.h"

#include <QtCore/QTimer>

namespace SocketIO {

class SessionAwareAdapter : public Adapter
{
    Q_OBJECT
public:
    SessionAwareAdapter(Namespace *nsp, int maxDisconnectionDuration);

    void broadcast(const Packet &packet, const BroadcastOptions &options) override;
    void persistSession(const Session &session) override;
    using Adapter::restoreSession;
    std::optional<Session> restoreSession(const QString &pid, const QString &offset) override;

    // Drops what is older than maxDisconnectionDuration (also run every minute).
    void expire();

private:
    struct StoredPacket
    {
        QString id;
        BroadcastOptions options;
        QVariantList data;
        qint64 emittedAt;
    };
    QString nextOffset();

    const int m_maxDisconnectionDuration;
    QHash<QString, Session> m_sessions; // by pid
    QList<StoredPacket> m_packets;
    QTimer m_cleanup;
    quint64 m_seed = 0;
    qint64 m_lastTime = -1;
};

} // namespace SocketIO
