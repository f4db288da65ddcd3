#pragma once

#include <QtCore/QAbstractItemModel>
#include <QtCore/QVariant>

#include <memory>
#include <vector>

namespace Inspector {

// A read-only tree of a JSON-like QVariant (maps, lists, scalars): key and value columns.
// The socket detail pane shows a socket's handshake, auth and data with it.
class VariantTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { Key, Value, ColumnCount };
    Q_ENUM(Column)

    explicit VariantTreeModel(QObject *parent = nullptr);
    ~VariantTreeModel() override;

    void setVariant(const QVariant &value);
    QVariant variant() const { return m_value; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // The index of a top-level key (or a path of keys), invalid when absent.
    QModelIndex find(const QStringList &path) const;

private:
    struct Node
    {
        QString key;
        QVariant value; // scalars only; containers have children
        bool container = false;
        int size = 0;
        Node *parent = nullptr;
        int row = 0;
        std::vector<std::unique_ptr<Node>> children;
    };
    static void fill(Node *node, const QVariant &value);
    const Node *nodeOf(const QModelIndex &index) const;

    QVariant m_value;
    std::unique_ptr<Node> m_root;
};

} // namespace Inspector
