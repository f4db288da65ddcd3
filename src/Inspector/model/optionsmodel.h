#pragma once

#include <QtCore/QAbstractTableModel>
#include <QtCore/QVariantMap>

namespace Inspector {

// The option settings a server publishes in our `server_options` extension event:
// {"serverId", "engine": {name: value}, "server": {name: value}}. One row per server, scope
// and option; empty for a server that does not publish them (Node's admin-ui).
class OptionsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Server, Scope, Option, Value, ColumnCount };
    Q_ENUM(Column)

    explicit OptionsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Replaces the rows of the message's serverId.
    void setServerOptions(const QVariantMap &message);
    void clear();

    // The value of one option, invalid when not published.
    QVariant value(const QString &serverId, const QString &scope, const QString &option) const;

    static QString valueText(const QVariant &value);

private:
    struct Row
    {
        QString server;
        QString scope;
        QString option;
        QVariant value;
    };
    QList<Row> m_rows;
};

} // namespace Inspector
