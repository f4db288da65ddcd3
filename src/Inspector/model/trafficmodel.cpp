#include "trafficmodel.h"

#include "columnheader_p.h"

#include <QtCore/QIODevice>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace Inspector {

namespace {

// Binary arguments (QByteArray) as {"$bin": "<hex>"}, the notation of the protocol notes:
// JSON has no bytes, and QJsonValue would turn them into a string of garbage.
QVariant jsonSafe(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::QByteArray:
        return QVariantMap{
            {QStringLiteral("$bin"), QString::fromLatin1(value.toByteArray().toHex())}};
    case QMetaType::QVariantList: {
        QVariantList list = value.toList();
        for (QVariant &v : list)
            v = jsonSafe(v);
        return list;
    }
    case QMetaType::QVariantMap: {
        QVariantMap map = value.toMap();
        for (QVariant &v : map)
            v = jsonSafe(v);
        return map;
    }
    default:
        return value;
    }
}

QJsonArray toJson(const QVariantList &args)
{
    return QJsonArray::fromVariantList(jsonSafe(args).toList());
}

} // namespace

TrafficModel::TrafficModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int TrafficModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int TrafficModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString TrafficModel::argumentsText(const QVariantList &args)
{
    const QByteArray json = QJsonDocument(toJson(args)).toJson(QJsonDocument::Compact);
    // Without the outer brackets: the arguments as they were passed.
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

QVariant TrafficModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index))
        return {};
    const Entry &e = m_entries.at(index.row());
    switch (role) {
    case DirectionRole:
        return QVariant::fromValue(e.direction);
    case ArgumentsRole:
        return e.args;
    case TimeRole:
        return e.time;
    case Qt::DisplayRole:
    case Qt::EditRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case Time:
        return role == Qt::EditRole
                   ? QVariant(e.time)
                   : QVariant(e.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz")));
    case Direction:
        return e.direction == Dir::In ? tr("in") : tr("out");
    case Namespace:
        return e.nsp;
    case Socket:
        return e.socketId;
    case Event:
        return e.event;
    case Arguments:
        return argumentsText(e.args);
    }
    return {};
}

QVariant TrafficModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char *const titles[] = {
        QT_TRANSLATE_NOOP("Inspector::TrafficModel", "Time"),
        QT_TRANSLATE_NOOP("Inspector::TrafficModel", "Direction"),
        QT_TRANSLATE_NOOP("Inspector::TrafficModel", "Namespace"),
        QT_TRANSLATE_NOOP("Inspector::TrafficModel", "Socket"),
        QT_TRANSLATE_NOOP("Inspector::TrafficModel", "Event"),
        QT_TRANSLATE_NOOP("Inspector::TrafficModel", "Arguments"),
    };
    static_assert(std::size(titles) == ColumnCount);
    return columnHeader<QAbstractTableModel>(this, section, orientation, role,
                                             "Inspector::TrafficModel", titles);
}

void TrafficModel::addEvent(Dir direction, const QString &nsp, const QString &socketId,
                            const QVariantList &eventAndArgs, const QDateTime &time)
{
    if (m_paused) {
        ++m_dropped;
        return;
    }
    if (m_entries.size() >= m_capacity) {
        const int n = int(m_entries.size()) - m_capacity + 1;
        beginRemoveRows({}, 0, n - 1);
        m_entries.remove(0, n);
        endRemoveRows();
    }
    Entry e;
    e.time = time;
    e.direction = direction;
    e.nsp = nsp;
    e.socketId = socketId;
    if (!eventAndArgs.isEmpty()) {
        e.event = eventAndArgs.first().toString();
        e.args = eventAndArgs.mid(1);
    }
    const int row = int(m_entries.size());
    beginInsertRows({}, row, row);
    m_entries.append(e);
    endInsertRows();
}

void TrafficModel::clear()
{
    beginResetModel();
    m_entries.clear();
    m_dropped = 0;
    endResetModel();
}

void TrafficModel::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    Q_EMIT pausedChanged(paused);
}

void TrafficModel::setCapacity(int rows)
{
    m_capacity = std::max(1, rows);
    if (m_entries.size() > m_capacity) {
        const int n = int(m_entries.size()) - m_capacity;
        beginRemoveRows({}, 0, n - 1);
        m_entries.remove(0, n);
        endRemoveRows();
    }
}

QByteArray TrafficModel::toJsonLine(const Entry &entry)
{
    QJsonObject o;
    o.insert(QLatin1String("time"), entry.time.toUTC().toString(Qt::ISODateWithMs));
    o.insert(QLatin1String("direction"),
             entry.direction == Dir::In ? QLatin1String("in") : QLatin1String("out"));
    o.insert(QLatin1String("nsp"), entry.nsp);
    o.insert(QLatin1String("socket"), entry.socketId);
    o.insert(QLatin1String("event"), entry.event);
    o.insert(QLatin1String("args"), toJson(entry.args));
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

bool TrafficModel::writeJsonLines(QIODevice *device, const QList<int> &rows) const
{
    const auto write = [device](const Entry &e) {
        const QByteArray line = toJsonLine(e);
        return device->write(line) == line.size();
    };
    if (rows.isEmpty()) {
        for (const Entry &e : m_entries) {
            if (!write(e))
                return false;
        }
        return true;
    }
    for (int row : rows) {
        if (row >= 0 && row < m_entries.size() && !write(m_entries.at(row)))
            return false;
    }
    return true;
}

TrafficFilterModel::TrafficFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{}

void TrafficFilterModel::setDirections(Directions directions)
{
    m_directions = directions;
    invalidateFilter();
}

void TrafficFilterModel::setNamespace(const QString &nsp)
{
    m_nsp = nsp;
    invalidateFilter();
}

void TrafficFilterModel::setSearchText(const QString &text)
{
    m_search = text;
    invalidateFilter();
}

QList<int> TrafficFilterModel::sourceRows() const
{
    QList<int> rows;
    for (int row = 0; row < rowCount(); ++row)
        rows.append(mapToSource(index(row, 0)).row());
    return rows;
}

bool TrafficFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    const auto cell = [&](int column) {
        return source->index(sourceRow, column, sourceParent).data().toString();
    };
    if (m_directions != Directions::Both) {
        const auto dir = source->index(sourceRow, 0, sourceParent)
                             .data(TrafficModel::DirectionRole)
                             .value<TrafficModel::Dir>();
        if ((m_directions == Directions::In) != (dir == TrafficModel::Dir::In))
            return false;
    }
    if (!m_nsp.isEmpty() && cell(TrafficModel::Namespace) != m_nsp)
        return false;
    if (!m_search.isEmpty()) {
        return cell(TrafficModel::Event).contains(m_search, Qt::CaseInsensitive) ||
               cell(TrafficModel::Arguments).contains(m_search, Qt::CaseInsensitive) ||
               cell(TrafficModel::Socket).contains(m_search, Qt::CaseInsensitive);
    }
    return true;
}

} // namespace Inspector
