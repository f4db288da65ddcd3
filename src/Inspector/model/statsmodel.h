#pragma once

#include <QtCore/QAbstractTableModel>
#include <QtCore/QDateTime>
#include <QtCore/QVariantList>

namespace Inspector {

// A time series, one row per second, from the aggregatedEvents of server_stats (summed over
// servers) and the connected clients each server reported. The Time column's display value
// is a QDateTime, so that a chart's model mapper reads it as msecs since the epoch.
class StatsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Time,
        Clients,
        PacketsIn,
        PacketsOut,
        BytesIn,
        BytesOut,
        Connections,
        Disconnections,
        ColumnCount
    };
    Q_ENUM(Column)

    explicit StatsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Adds one server's server_stats: its aggregatedEvents, and its clientsCount at `now`.
    void addStats(const QVariantMap &stats, const QDateTime &now = QDateTime::currentDateTimeUtc());
    void clear();

    // The number of seconds kept (600, the UI's 10 minutes).
    int capacity() const { return m_capacity; }
    void setCapacity(int seconds);

    // The largest value of a column, for a chart's axis.
    qint64 maximum(Column column) const;
    // The Engine.IO disconnections so far by reason (rawDisconnection's subType: "transport
    // close", "forced close", "ping timeout", ...).
    QHash<QString, qint64> disconnectionReasons() const { return m_disconnectionReasons; }

private:
    struct Row
    {
        qint64 second = 0; // msecs since epoch, whole seconds
        qint64 values[ColumnCount] = {};
    };
    int rowFor(qint64 second);
    void trim();

    QList<Row> m_rows;
    QHash<QString, int> m_clientsByServer;
    QHash<QString, qint64> m_disconnectionReasons;
    int m_capacity = 600;
};

} // namespace Inspector
