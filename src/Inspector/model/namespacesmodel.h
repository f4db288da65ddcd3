#pragma once

#include <QtCore/QAbstractTableModel>
#include <QtCore/QHash>
#include <QtCore/QVariantMap>

namespace Inspector {

// The namespaces of the cluster with their socket counts, summed over the servers' latest
// server_stats.
class NamespacesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Sockets, ColumnCount };
    Q_ENUM(Column)

    explicit NamespacesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void updateStats(const QVariantMap &stats);
    void clear();

    // The sockets count of `name`, -1 when the namespace is not known.
    int socketsCount(const QString &name) const;
    QStringList names() const;

private:
    struct Row
    {
        QString name;
        int sockets = 0;
    };
    QList<Row> m_rows;
    QHash<QString, QHash<QString, int>> m_byServer; // serverId -> namespace -> sockets
};

} // namespace Inspector
