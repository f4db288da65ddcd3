#include "serversmodel.h"

#include "columnheader_p.h"

#include <QtGui/QColor>

namespace Inspector {

ServersModel::ServersModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_healthTimer.setInterval(1000);
    connect(&m_healthTimer, &QTimer::timeout, this, [this] { checkHealth(); });
    m_healthTimer.start();
}

int ServersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_servers.size());
}

int ServersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ServersModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index))
        return {};
    const Server &s = m_servers.at(index.row());
    if (role == HealthyRole)
        return s.healthy;
    if (role == LastPingRole)
        return s.lastPing;
    if (role == Qt::ToolTipRole && index.column() == Health)
        return tr("Last stats at %1").arg(s.lastPing.toLocalTime().toString(Qt::ISODate));
    if (role == Qt::ForegroundRole && index.column() == Health)
        return QColor(s.healthy ? Qt::darkGreen : Qt::red);
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (index.column()) {
    case ServerId:
        return s.serverId;
    case Hostname:
        return s.hostname;
    case Pid:
        return s.pid;
    case Uptime:
        return role == Qt::EditRole ? QVariant(s.uptime) : QVariant(qRound64(s.uptime));
    case Clients:
        return s.clients;
    case Polling:
        return s.pollingClients;
    case WebSocket:
        return s.clients - s.pollingClients;
    case Health:
        return s.healthy ? tr("healthy") : tr("unhealthy");
    }
    return {};
}

QVariant ServersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char *const titles[] = {
        QT_TRANSLATE_NOOP("Inspector::ServersModel", "Server"),
        QT_TRANSLATE_NOOP("Inspector::ServersModel", "Host"),
        QT_TRANSLATE_NOOP("Inspector::ServersModel", "PID"),
        QT_TRANSLATE_NOOP("Inspector::ServersModel", "Uptime (s)"),
        QT_TRANSLATE_NOOP("Inspector::ServersModel", "Clients"),
        QT_TRANSLATE_NOOP("Inspector::ServersModel", "Polling"),
        QT_TRANSLATE_NOOP("Inspector::ServersModel", "WebSocket"),
        QT_TRANSLATE_NOOP("Inspector::ServersModel", "Health"),
    };
    static_assert(std::size(titles) == ColumnCount);
    return columnHeader<QAbstractTableModel>(this, section, orientation, role,
                                             "Inspector::ServersModel", titles);
}

void ServersModel::updateStats(const QVariantMap &stats, const QDateTime &now)
{
    const QString id = stats.value(QStringLiteral("serverId")).toString();
    auto it = std::find_if(m_servers.begin(), m_servers.end(),
                           [&id](const Server &s) { return s.serverId == id; });
    int row = int(it - m_servers.begin());
    if (it == m_servers.end()) {
        beginInsertRows({}, row, row);
        Server s;
        s.serverId = id;
        m_servers.append(s);
        endInsertRows();
    }
    Server &s = m_servers[row];
    s.hostname = stats.value(QStringLiteral("hostname")).toString();
    s.pid = stats.value(QStringLiteral("pid")).toLongLong();
    s.uptime = stats.value(QStringLiteral("uptime")).toDouble();
    s.clients = stats.value(QStringLiteral("clientsCount")).toInt();
    s.pollingClients = stats.value(QStringLiteral("pollingClientsCount")).toInt();
    s.lastPing = now;
    s.healthy = true;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void ServersModel::checkHealth(const QDateTime &now)
{
    for (int row = 0; row < m_servers.size(); ++row) {
        Server &s = m_servers[row];
        const bool healthy = s.lastPing.msecsTo(now) < m_unhealthyAfter;
        if (healthy != s.healthy) {
            s.healthy = healthy;
            Q_EMIT dataChanged(index(row, Health), index(row, Health));
        }
    }
}

void ServersModel::removeUnhealthy()
{
    for (int row = int(m_servers.size()) - 1; row >= 0; --row) {
        if (!m_servers.at(row).healthy) {
            beginRemoveRows({}, row, row);
            m_servers.removeAt(row);
            endRemoveRows();
        }
    }
}

void ServersModel::clear()
{
    beginResetModel();
    m_servers.clear();
    endResetModel();
}

void ServersModel::setUnhealthyAfter(int milliseconds)
{
    m_unhealthyAfter = milliseconds;
    m_healthTimer.setInterval(std::max(50, std::min(1000, milliseconds / 4)));
}

int ServersModel::totalClients() const
{
    int n = 0;
    for (const Server &s : m_servers)
        n += s.clients;
    return n;
}

int ServersModel::totalPollingClients() const
{
    int n = 0;
    for (const Server &s : m_servers)
        n += s.pollingClients;
    return n;
}

} // namespace Inspector
