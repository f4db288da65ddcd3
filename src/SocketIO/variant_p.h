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

// A number as the JSON and msgpack encoders write it: an integer when it is one that fits
// qint64 (*integer), else a double (*real). False when `value` is not a number.
enum class NumberForm { NotNumber, Integer, Real };
inline NumberForm numberForm(const QVariant &value, qint64 *integer, double *real)
{
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::Short:
    case QMetaType::Long:
    case QMetaType::LongLong:
    case QMetaType::SChar:
        *integer = value.toLongLong();
        return NumberForm::Integer;
    case QMetaType::UInt:
    case QMetaType::UShort:
    case QMetaType::ULong:
    case QMetaType::ULongLong:
    case QMetaType::UChar: {
        const qulonglong u = value.toULongLong();
        if (u <= qulonglong(std::numeric_limits<qint64>::max())) {
            *integer = qint64(u);
            return NumberForm::Integer;
        }
        *real = double(u);
        return NumberForm::Real;
    }
    case QMetaType::Double:
    case QMetaType::Float:
        *real = value.toDouble();
        return NumberForm::Real;
    default:
        return NumberForm::NotNumber;
    }
}

} // namespace SocketIO
