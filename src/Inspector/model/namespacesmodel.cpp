#include "namespacesmodel.h"

#include "columnheader_p.h"

#include <QtCore/QMap>

namespace Inspector {

NamespacesModel::NamespacesModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int NamespacesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int NamespacesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NamespacesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index))
        return {};
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    const Row &row = m_rows.at(index.row());
    return index.column() == Name ? QVariant(row.name) : QVariant(row.sockets);
}

QVariant NamespacesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char *const titles[] = {
        QT_TRANSLATE_NOOP("Inspector::NamespacesModel", "Namespace"),
        QT_TRANSLATE_NOOP("Inspector::NamespacesModel", "Sockets"),
    };
    static_assert(std::size(titles) == ColumnCount);
    return columnHeader<QAbstractTableModel>(this, section, orientation, role,
                                             "Inspector::NamespacesModel", titles);
}

void NamespacesModel::updateStats(const QVariantMap &stats)
{
    QHash<QString, int> counts;
    const QVariantList namespaces = stats.value(QStringLiteral("namespaces")).toList();
    for (const QVariant &n : namespaces) {
        const QVariantMap nsp = n.toMap();
        counts.insert(nsp.value(QStringLiteral("name")).toString(),
                      nsp.value(QStringLiteral("socketsCount")).toInt());
    }
    m_byServer.insert(stats.value(QStringLiteral("serverId")).toString(), counts);

    QMap<QString, int> totals; // sorted by name
    for (const auto &server : std::as_const(m_byServer)) {
        for (auto it = server.cbegin(); it != server.cend(); ++it)
            totals[it.key()] += it.value();
    }
    // Rows keep their place: update, remove the gone ones, insert the new ones in order.
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        if (!totals.contains(m_rows.at(row).name)) {
            beginRemoveRows({}, row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        }
    }
    for (auto it = totals.cbegin(); it != totals.cend(); ++it) {
        int row = 0;
        while (row < m_rows.size() && m_rows.at(row).name < it.key())
            ++row;
        if (row < m_rows.size() && m_rows.at(row).name == it.key()) {
            if (m_rows.at(row).sockets != it.value()) {
                m_rows[row].sockets = it.value();
                Q_EMIT dataChanged(index(row, Sockets), index(row, Sockets));
            }
            continue;
        }
        beginInsertRows({}, row, row);
        m_rows.insert(row, Row{it.key(), it.value()});
        endInsertRows();
    }
}

void NamespacesModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_byServer.clear();
    endResetModel();
}

int NamespacesModel::socketsCount(const QString &name) const
{
    for (const Row &row : m_rows) {
        if (row.name == name)
            return row.sockets;
    }
    return -1;
}

QStringList NamespacesModel::names() const
{
    QStringList result;
    for (const Row &row : m_rows)
        result.append(row.name);
    return result;
}

} // namespace Inspector
