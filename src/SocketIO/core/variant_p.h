// Small helpers for QVariants: reading options from maps (parsed JSON), and numbers as the
// encoders write them.
#pragma once

#include <QtCore/QVariant>

#include <limits>

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

// A number as the JSON and msgpack encoders write it: `integer(qint64)` when it is an integer
// that fits qint64, else `real(double)`. False (and neither is called) when `value` is not a
// number.
template<typename Integer, typename Real>
bool visitNumber(const QVariant &value, Integer integer, Real real)
{
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::Short:
    case QMetaType::Long:
    case QMetaType::LongLong:
    case QMetaType::SChar:
        integer(value.toLongLong());
        return true;
    case QMetaType::UInt:
    case QMetaType::UShort:
    case QMetaType::ULong:
    case QMetaType::ULongLong:
    case QMetaType::UChar: {
        const qulonglong u = value.toULongLong();
        if (u <= qulonglong(std::numeric_limits<qint64>::max()))
            integer(qint64(u));
        else
            real(double(u));
        return true;
    }
    case QMetaType::Double:
    case QMetaType::Float:
        real(value.toDouble());
        return true;
    default:
        return false;
    }
}

} // namespace SocketIO
