#pragma once

#include <QtCore/QAbstractTableModel>
#include <QtCore/QDateTime>
#include <QtCore/QTimer>
#include <QtCore/QVariantMap>

namespace Inspector {

// The servers of a cluster, one row per serverId, from their server_stats; a server turns
// unhealthy when no stats arrived for unhealthyAfter() (10 s, as the official UI).
class ServersModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        ServerId,
        Hostname,
        Pid,
        Uptime,
        Clients,
        Polling,
        WebSocket,
        Health,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role { HealthyRole = Qt::UserRole + 1, LastPingRole };

    struct Server
    {
        QString serverId;
        QString hostname;
        qint64 pid = 0;
        double uptime = 0;
        int clients = 0;
        int pollingClients = 0;
        QDateTime lastPing;
        bool healthy = true;
    };

    explicit ServersModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Merges one server_stats object into its row (added when new).
    void updateStats(const QVariantMap &stats,
                     const QDateTime &now = QDateTime::currentDateTimeUtc());
    // Marks servers without stats for unhealthyAfter() as unhealthy; called by a timer too.
    void checkHealth(const QDateTime &now = QDateTime::currentDateTimeUtc());
    // Removes the unhealthy servers, as the UI's "remove" button.
    void removeUnhealthy();
    void clear();

    int unhealthyAfter() const { return m_unhealthyAfter; }
    void setUnhealthyAfter(int milliseconds);

    const QList<Server> &servers() const { return m_servers; }
    int totalClients() const;
    int totalPollingClients() const;

private:
    QList<Server> m_servers;
    QTimer m_healthTimer;
    int m_unhealthyAfter = 10'000;
};

} // namespace Inspector
