#include "varianttreemodel.h"

#include "columnheader_p.h"

#include "optionsmodel.h"

namespace Inspector {

VariantTreeModel::VariantTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{}

VariantTreeModel::~VariantTreeModel() = default;

void VariantTreeModel::fill(Node *node, const QVariant &value)
{
    const auto add = [node](const QString &key, const QVariant &v) {
        auto child = std::make_unique<Node>();
        child->key = key;
        child->parent = node;
        child->row = int(node->children.size());
        fill(child.get(), v);
        node->children.push_back(std::move(child));
    };
    switch (value.typeId()) {
    case QMetaType::QVariantMap: {
        node->container = true;
        const QVariantMap map = value.toMap();
        node->size = int(map.size());
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            add(it.key(), it.value());
        break;
    }
    case QMetaType::QVariantList:
    case QMetaType::QStringList: {
        node->container = true;
        const QVariantList list = value.toList();
        node->size = int(list.size());
        for (int i = 0; i < list.size(); ++i)
            add(QString::number(i), list.at(i));
        break;
    }
    default:
        node->value = value;
    }
}

void VariantTreeModel::setVariant(const QVariant &value)
{
    beginResetModel();
    m_value = value;
    m_root = std::make_unique<Node>();
    fill(m_root.get(), value);
    endResetModel();
}

const VariantTreeModel::Node *VariantTreeModel::nodeOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<const Node *>(index.internalPointer()) : m_root.get();
}

QModelIndex VariantTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    const Node *p = nodeOf(parent);
    return createIndex(row, column, p->children.at(size_t(row)).get());
}

QModelIndex VariantTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const Node *p = static_cast<const Node *>(child.internalPointer())->parent;
    if (!p || p == m_root.get())
        return {};
    return createIndex(p->row, 0, const_cast<Node *>(p));
}

int VariantTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(nodeOf(parent)->children.size());
}

int VariantTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant VariantTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index))
        return {};
    if (role != Qt::DisplayRole && role != Qt::EditRole && role != Qt::ToolTipRole)
        return {};
    const Node *node = nodeOf(index);
    if (index.column() == Key)
        return node->key;
    if (node->container)
        return role == Qt::EditRole ? QVariant()
                                    : QVariant(tr("(%n item(s))", nullptr, node->size));
    return role == Qt::EditRole ? node->value : QVariant(OptionsModel::valueText(node->value));
}

QVariant VariantTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char *const titles[] = {
        QT_TRANSLATE_NOOP("Inspector::VariantTreeModel", "Key"),
        QT_TRANSLATE_NOOP("Inspector::VariantTreeModel", "Value"),
    };
    static_assert(std::size(titles) == ColumnCount);
    return columnHeader<QAbstractItemModel>(this, section, orientation, role,
                                            "Inspector::VariantTreeModel", titles);
}

QModelIndex VariantTreeModel::find(const QStringList &path) const
{
    QModelIndex at;
    for (const QString &key : path) {
        const Node *node = nodeOf(at);
        auto it = std::find_if(node->children.begin(), node->children.end(),
                               [&key](const auto &c) { return c->key == key; });
        if (it == node->children.end())
            return {};
        at = index((*it)->row, 0, at);
    }
    return at;
}

} // namespace Inspector
