// Small helpers for reading options from QVariantMaps (parsed JSON).
#pragma once

#include <QtCore/QVariant>

namespace SocketIO {

inline bool isNumber(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
        return true;
    default:
        return false;
    }
}

} // namespace SocketIO
