#pragma once

#include <QtCore/QAbstractTableModel>
#include <QtCore/QDateTime>
#include <QtCore/QSortFilterProxyModel>
#include <QtCore/QVariantList>

QT_BEGIN_NAMESPACE
class QIODevice;
QT_END_NAMESPACE

namespace Inspector {

// The traffic log: one row per event_received (In) or event_sent (Out), oldest first, at most
// capacity() rows. While paused, new entries are counted in droppedCount() and not kept.
class TrafficModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_PROPERTY(bool paused READ isPaused WRITE setPaused NOTIFY pausedChanged)
public:
    enum Column { Time, Direction, Namespace, Socket, Event, Arguments, ColumnCount };
    Q_ENUM(Column)
    enum class Dir { In, Out };
    Q_ENUM(Dir)
    enum Role { DirectionRole = Qt::UserRole + 1, ArgumentsRole, TimeRole };

    struct Entry
    {
        QDateTime time;
        Dir direction = Dir::In;
        QString nsp;
        QString socketId;
        QString event;
        QVariantList args; // without the event name
    };

    explicit TrafficModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // From event_received / event_sent: nsp, socketId, [event, ...args], date.
    void addEvent(Dir direction, const QString &nsp, const QString &socketId,
                  const QVariantList &eventAndArgs, const QDateTime &time);
    void clear();

    bool isPaused() const { return m_paused; }
    void setPaused(bool paused);
    int droppedCount() const { return m_dropped; }
    int capacity() const { return m_capacity; }
    void setCapacity(int rows);
    const Entry &entry(int row) const { return m_entries.at(row); }

    // One JSON object per line: {"time","direction","nsp","socket","event","args"}.
    static QByteArray toJsonLine(const Entry &entry);
    // Writes the given rows (all when empty) as JSON lines; false on a write error.
    bool writeJsonLines(QIODevice *device, const QList<int> &rows = {}) const;
    static QString argumentsText(const QVariantList &args);

Q_SIGNALS:
    void pausedChanged(bool paused);

private:
    QList<Entry> m_entries;
    bool m_paused = false;
    int m_dropped = 0;
    int m_capacity = 10'000;
};

// Filters the traffic log by direction and namespace, and searches event names and
// arguments for a text (case-insensitive).
class TrafficFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    enum class Directions { Both, In, Out };
    Q_ENUM(Directions)

    explicit TrafficFilterModel(QObject *parent = nullptr);

    void setDirections(Directions directions);
    Directions directions() const { return m_directions; }
    // Empty: every namespace.
    void setNamespace(const QString &nsp);
    void setSearchText(const QString &text);
    // The source rows of what passes, in order, for an export.
    QList<int> sourceRows() const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    Directions m_directions = Directions::Both;
    QString m_nsp;
    QString m_search;
};

} // namespace Inspector
