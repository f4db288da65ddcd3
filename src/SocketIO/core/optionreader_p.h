// The one reader of option maps (parsed JSON, QML, command lines) behind EngineOptions,
// ServerOptions and ManagerOptions::fromVariantMap(): every value's type is checked, and the
// first problem is reported in one format, naming the option with its prefix:
//     option "cors.maxAge": expected a number
//     option "workers": expected a number from 0 to 26
//     unknown option "pingInterva"
#pragma once

#include "core/variant_p.h"

#include <QtCore/QStringList>
#include <QtCore/QVariantMap>

#include <cmath>
#include <limits>

namespace SocketIO {

class OptionReader
{
public:
    // Reads `map`, whose keys are reported as `prefix` + key ("cors." for a nested object).
    // The first problem goes to `*error` (when not null); later ones are dropped.
    OptionReader(const QVariantMap &map, QString *error, const QString &prefix = {})
        : m_map(map)
        , m_error(error)
        , m_prefix(prefix)
    {}

    bool ok() const { return !m_failed; }
    const QVariantMap &map() const { return m_map; }

    // The value of `key`, or null when the map does not hold it.
    const QVariant *find(const QString &key) const
    {
        const auto it = m_map.constFind(key);
        return it == m_map.cend() ? nullptr : &*it;
    }

    // Records `option "<key>": expected <what>`; returns false, to end a chain of reads.
    bool fail(const QString &key, const QString &what)
    {
        return failWith(QStringLiteral("option \"%1%2\": expected %3").arg(m_prefix, key, what));
    }
    bool fail(const QString &key, const char *what) { return fail(key, QString::fromLatin1(what)); }
    // Records a message of its own (an option that is refused rather than mistyped).
    bool failWith(const QString &message)
    {
        if (!m_failed && m_error)
            *m_error = message;
        m_failed = true;
        return false;
    }
    bool unknown(const QString &key)
    {
        return failWith(QStringLiteral("unknown option \"%1%2\"").arg(m_prefix, key));
    }
    // Reports the first key of the map that `known` does not list.
    bool known(const QStringList &known)
    {
        for (auto it = m_map.cbegin(); it != m_map.cend(); ++it) {
            if (!known.contains(it.key()))
                return unknown(it.key());
        }
        return ok();
    }

    // Each reader leaves `*out` alone when the key is absent, and returns false (with the
    // problem recorded) when its value has the wrong type or is out of range.
    bool boolean(const QString &key, bool *out)
    {
        const QVariant *value = find(key);
        if (!value)
            return ok();
        if (value->typeId() != QMetaType::Bool)
            return fail(key, "true or false");
        *out = value->toBool();
        return ok();
    }
    bool number(const QString &key, qint64 *out, qint64 min = std::numeric_limits<qint64>::min(),
                qint64 max = std::numeric_limits<qint64>::max())
    {
        return number(key, out, min, max, expectedNumber(min, max));
    }
    bool integer(const QString &key, int *out, int min = std::numeric_limits<int>::min(),
                 int max = std::numeric_limits<int>::max())
    {
        // A lower bound alone reads "of at least": the upper one is only int's.
        const bool lowOnly =
            min != std::numeric_limits<int>::min() && max == std::numeric_limits<int>::max();
        const QString what = lowOnly ? expectedNumber(min, std::numeric_limits<qint64>::max())
                                     : expectedNumber(min, max);
        qint64 value = *out;
        if (!number(key, &value, min, max, what))
            return false;
        *out = int(value);
        return ok();
    }
    // An int, where numbers past its range saturate (a "never" written as a huge number).
    bool saturatedInteger(const QString &key, int *out, int min = 0)
    {
        qint64 value = *out;
        if (!number(key, &value, min))
            return false;
        *out = int(qMin<qint64>(value, std::numeric_limits<int>::max()));
        return ok();
    }
    // `what` names the expected value in the error.
    bool number(const QString &key, qint64 *out, qint64 min, qint64 max, const QString &what)
    {
        const QVariant *value = find(key);
        if (!value)
            return ok();
        if (!isNumber(*value) || !std::isfinite(value->toDouble()))
            return fail(key, what);
        // JSON numbers are doubles: a value past the range saturates before the check.
        const double d = value->toDouble();
        const qint64 n = d >= 0x1p63                            ? std::numeric_limits<qint64>::max()
                         : d < -0x1p63                          ? std::numeric_limits<qint64>::min()
                         : value->typeId() == QMetaType::Double ? qint64(d)
                                                                : value->toLongLong();
        if (n < min || n > max)
            return fail(key, what);
        *out = n;
        return ok();
    }
    bool real(const QString &key, double *out, double min = -qInf(), double max = qInf())
    {
        const QVariant *value = find(key);
        if (!value)
            return ok();
        if (!isNumber(*value) || !(value->toDouble() >= min && value->toDouble() <= max)) {
            return fail(key, std::isinf(min) && std::isinf(max)
                                 ? QStringLiteral("a number")
                                 : QStringLiteral("a number from %1 to %2").arg(min).arg(max));
        }
        *out = value->toDouble();
        return ok();
    }
    bool string(const QString &key, QString *out)
    {
        const QVariant *value = find(key);
        if (!value)
            return ok();
        if (value->typeId() != QMetaType::QString)
            return fail(key, "a string");
        *out = value->toString();
        return ok();
    }
    // One of `allowed` (an enum written as a string).
    bool oneOf(const QString &key, QString *out, const QStringList &allowed)
    {
        const QVariant *value = find(key);
        if (!value)
            return ok();
        if (value->typeId() != QMetaType::QString || !allowed.contains(value->toString())) {
            return fail(
                key, QStringLiteral("one of \"%1\"").arg(allowed.join(QStringLiteral("\", \""))));
        }
        *out = value->toString();
        return ok();
    }
    // A list of strings; a single string is a comma-separated list.
    bool strings(const QString &key, QStringList *out)
    {
        const QVariant *value = find(key);
        if (!value)
            return ok();
        bool valid = true;
        QStringList list = toStringList(*value, &valid);
        if (!valid)
            return fail(key, "a list of strings");
        *out = std::move(list);
        return ok();
    }
    // An object (a nested map); read its keys with another reader with a prefix.
    bool object(const QString &key, QVariantMap *out)
    {
        const QVariant *value = find(key);
        if (!value)
            return ok();
        if (value->typeId() != QMetaType::QVariantMap)
            return fail(key, "an object");
        *out = value->toMap();
        return ok();
    }

    static QStringList toStringList(const QVariant &value, bool *valid)
    {
        *valid = true;
        switch (value.typeId()) {
        case QMetaType::QString: {
            // "polling, websocket": a comma-separated list, as the CLI and env vars give it.
            QStringList list = value.toString().split(u',', Qt::SkipEmptyParts);
            for (QString &item : list)
                item = item.trimmed();
            list.removeAll(QString());
            return list;
        }
        case QMetaType::QStringList:
            return value.toStringList();
        case QMetaType::QVariantList: {
            QStringList list;
            const QVariantList items = value.toList();
            for (const QVariant &item : items) {
                if (item.typeId() != QMetaType::QString) {
                    *valid = false;
                    return {};
                }
                list.append(item.toString());
            }
            return list;
        }
        default:
            *valid = false;
            return {};
        }
    }

private:
    static QString expectedNumber(qint64 min, qint64 max)
    {
        const bool low = min != std::numeric_limits<qint64>::min();
        const bool high = max != std::numeric_limits<qint64>::max();
        if (low && high)
            return QStringLiteral("a number from %1 to %2").arg(min).arg(max);
        if (low)
            return QStringLiteral("a number of at least %1").arg(min);
        if (high)
            return QStringLiteral("a number of at most %1").arg(max);
        return QStringLiteral("a number");
    }

    const QVariantMap &m_map;
    QString *m_error;
    QString m_prefix;
    bool m_failed = false;
};

} // namespace SocketIO
