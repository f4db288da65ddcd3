// The horizontal header shared by the Inspector's models: one translated title per column.
#pragma once

#include <QtCore/QCoreApplication>
#include <QtCore/QVariant>

namespace Inspector {

// `titles` are marked with QT_TRANSLATE_NOOP in `context`; other sections, orientations and
// roles go to the base class.
template<typename Base, typename Model, size_t N>
QVariant columnHeader(const Model *model, int section, Qt::Orientation orientation, int role,
                      const char *context, const char *const (&titles)[N])
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 &&
        size_t(section) < N)
        return QCoreApplication::translate(context, titles[section]);
    return model->Base::headerData(section, orientation, role);
}

} // namespace Inspector
