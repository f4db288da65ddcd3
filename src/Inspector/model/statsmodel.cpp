#include "statsmodel.h"

#include "columnheader_p.h"

namespace Inspector {

StatsModel::StatsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int StatsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int StatsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StatsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index))
        return {};
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    const Row &row = m_rows.at(index.row());
    if (index.column() == Time)
        return QDateTime::fromMSecsSinceEpoch(row.second, Qt::UTC);
    return row.values[index.column()];
}

QVariant StatsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char *const titles[] = {
        QT_TRANSLATE_NOOP("Inspector::StatsModel", "Time"),
        QT_TRANSLATE_NOOP("Inspector::StatsModel", "Clients"),
        QT_TRANSLATE_NOOP("Inspector::StatsModel", "Packets in"),
        QT_TRANSLATE_NOOP("Inspector::StatsModel", "Packets out"),
        QT_TRANSLATE_NOOP("Inspector::StatsModel", "Bytes in"),
        QT_TRANSLATE_NOOP("Inspector::StatsModel", "Bytes out"),
        QT_TRANSLATE_NOOP("Inspector::StatsModel", "Connections"),
        QT_TRANSLATE_NOOP("Inspector::StatsModel", "Disconnections"),
    };
    static_assert(std::size(titles) == ColumnCount);
    return columnHeader<QAbstractTableModel>(this, section, orientation, role,
                                             "Inspector::StatsModel", titles);
}

int StatsModel::rowFor(qint64 second)
{
    // Mostly the last row or a new one after it.
    int row = int(m_rows.size());
    while (row > 0 && m_rows.at(row - 1).second > second)
        --row;
    if (row > 0 && m_rows.at(row - 1).second == second)
        return row - 1;
    beginInsertRows({}, row, row);
    Row r;
    r.second = second;
    // Clients is a level, not a count: a new second starts from the one before.
    if (row > 0)
        r.values[Clients] = m_rows.at(row - 1).values[Clients];
    m_rows.insert(row, r);
    endInsertRows();
    return row;
}

void StatsModel::addStats(const QVariantMap &stats, const QDateTime &now)
{
    static const QHash<QString, Column> types = {
        {QStringLiteral("packetsIn"), PacketsIn},
        {QStringLiteral("packetsOut"), PacketsOut},
        {QStringLiteral("bytesIn"), BytesIn},
        {QStringLiteral("bytesOut"), BytesOut},
        {QStringLiteral("rawConnection"), Connections},
        {QStringLiteral("rawDisconnection"), Disconnections},
    };
    const QVariantList events = stats.value(QStringLiteral("aggregatedEvents")).toList();
    for (const QVariant &e : events) {
        const QVariantMap event = e.toMap();
        const auto type = types.constFind(event.value(QStringLiteral("type")).toString());
        if (type == types.constEnd())
            continue;
        if (*type == Disconnections) {
            m_disconnectionReasons[event.value(QStringLiteral("subType")).toString()] +=
                event.value(QStringLiteral("count")).toLongLong();
        }
        const qint64 second = event.value(QStringLiteral("timestamp")).toLongLong() / 1000 * 1000;
        const int row = rowFor(second);
        m_rows[row].values[*type] += event.value(QStringLiteral("count")).toLongLong();
        Q_EMIT dataChanged(index(row, *type), index(row, *type));
    }

    m_clientsByServer.insert(stats.value(QStringLiteral("serverId")).toString(),
                             stats.value(QStringLiteral("clientsCount")).toInt());
    qint64 total = 0;
    for (int clients : std::as_const(m_clientsByServer))
        total += clients;
    const int row = rowFor(now.toMSecsSinceEpoch() / 1000 * 1000);
    for (int r = row; r < m_rows.size(); ++r)
        m_rows[r].values[Clients] = total;
    Q_EMIT dataChanged(index(row, Clients), index(int(m_rows.size()) - 1, Clients));
    trim();
}

void StatsModel::trim()
{
    if (m_rows.isEmpty())
        return;
    const qint64 oldest = m_rows.last().second - qint64(m_capacity) * 1000;
    int n = 0;
    while (n < m_rows.size() && m_rows.at(n).second <= oldest)
        ++n;
    if (n == 0)
        return;
    beginRemoveRows({}, 0, n - 1);
    m_rows.remove(0, n);
    endRemoveRows();
}

void StatsModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_clientsByServer.clear();
    m_disconnectionReasons.clear();
    endResetModel();
}

void StatsModel::setCapacity(int seconds)
{
    m_capacity = std::max(1, seconds);
    trim();
}

qint64 StatsModel::maximum(Column column) const
{
    qint64 max = 0;
    for (const Row &row : m_rows)
        max = std::max(max, row.values[column]);
    return max;
}

} // namespace Inspector
