#include "optionsmodel.h"

#include "columnheader_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace Inspector {

OptionsModel::OptionsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int OptionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int OptionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString OptionsModel::valueText(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::QVariantMap:
        return QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(value.toMap()))
                                     .toJson(QJsonDocument::Compact));
    case QMetaType::QVariantList:
    case QMetaType::QStringList:
        return QString::fromUtf8(QJsonDocument(QJsonArray::fromVariantList(value.toList()))
                                     .toJson(QJsonDocument::Compact));
    case QMetaType::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QMetaType::UnknownType:
    case QMetaType::Nullptr:
        return QStringLiteral("null");
    default:
        return value.toString();
    }
}

QVariant OptionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index))
        return {};
    const Row &row = m_rows.at(index.row());
    if (role == Qt::EditRole && index.column() == Value)
        return row.value;
    if (role != Qt::DisplayRole && role != Qt::EditRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Server:
        return row.server;
    case Scope:
        return row.scope;
    case Option:
        return row.option;
    case Value:
        return valueText(row.value);
    }
    return {};
}

QVariant OptionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char *const titles[] = {
        QT_TRANSLATE_NOOP("Inspector::OptionsModel", "Server"),
        QT_TRANSLATE_NOOP("Inspector::OptionsModel", "Scope"),
        QT_TRANSLATE_NOOP("Inspector::OptionsModel", "Option"),
        QT_TRANSLATE_NOOP("Inspector::OptionsModel", "Value"),
    };
    static_assert(std::size(titles) == ColumnCount);
    return columnHeader<QAbstractTableModel>(this, section, orientation, role,
                                             "Inspector::OptionsModel", titles);
}

void OptionsModel::setServerOptions(const QVariantMap &message)
{
    const QString server = message.value(QStringLiteral("serverId")).toString();
    QList<Row> rows;
    for (const QString &scope : {QStringLiteral("engine"), QStringLiteral("server")}) {
        const QVariantMap options = message.value(scope).toMap();
        for (auto it = options.cbegin(); it != options.cend(); ++it)
            rows.append(Row{server, scope, it.key(), it.value()});
    }
    beginResetModel();
    m_rows.removeIf([&server](const Row &row) { return row.server == server; });
    m_rows.append(rows);
    endResetModel();
}

void OptionsModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

QVariant OptionsModel::value(const QString &serverId, const QString &scope,
                             const QString &option) const
{
    for (const Row &row : m_rows) {
        if (row.server == serverId && row.scope == scope && row.option == option)
            return row.value;
    }
    return {};
}

} // namespace Inspector
