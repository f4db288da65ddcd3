// What every fuzz target shares: a check that aborts (so that libFuzzer saves the input as a
// crash) with a readable message, and a comparison of decoded values.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QDateTime>
#include <QtCore/QVariant>

#include <cmath>
#include <cstdio>
#include <cstdlib>

// A property of the code under test that failed: print what and where, then abort.
#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__,             \
                         #condition);                                                              \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)

namespace Fuzz {

inline bool isNumber(const QVariant &v)
{
    return v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Double;
}

inline bool isNullish(const QVariant &v)
{
    return !v.isValid() || v.typeId() == QMetaType::Nullptr;
}

// Whether `after` is what `before` becomes once written and read back by an encoder with
// JavaScript's value model: numbers compare by value whatever their C++ type (1.0 is written
// "1" and read back as an integer); null and undefined are alike; with `infinityIsNull`, a
// non-finite number matches null (JSON.stringify writes it so).
inline bool sameValue(const QVariant &before, const QVariant &after, bool infinityIsNull)
{
    if (isNumber(before) && isNumber(after)) {
        if (before.typeId() == QMetaType::LongLong && after.typeId() == QMetaType::LongLong)
            return before.toLongLong() == after.toLongLong();
        const double a = before.toDouble();
        const double b = after.toDouble();
        return a == b || (std::isnan(a) && std::isnan(b));
    }
    if (infinityIsNull && before.typeId() == QMetaType::Double &&
        !std::isfinite(before.toDouble()) && isNullish(after))
        return true;
    if (isNullish(before) || isNullish(after))
        return isNullish(before) && isNullish(after);
    if (before.typeId() != after.typeId())
        return false;
    switch (before.typeId()) {
    case QMetaType::QVariantList: {
        const QVariantList a = before.toList();
        const QVariantList b = after.toList();
        if (a.size() != b.size())
            return false;
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (!sameValue(a.at(i), b.at(i), infinityIsNull))
                return false;
        }
        return true;
    }
    case QMetaType::QVariantMap: {
        const QVariantMap a = before.toMap();
        const QVariantMap b = after.toMap();
        if (a.size() != b.size())
            return false;
        for (auto it = a.cbegin(), jt = b.cbegin(); it != a.cend(); ++it, ++jt) {
            if (it.key() != jt.key() || !sameValue(it.value(), jt.value(), infinityIsNull))
                return false;
        }
        return true;
    }
    case QMetaType::QDateTime:
        return before.toDateTime().toMSecsSinceEpoch() == after.toDateTime().toMSecsSinceEpoch();
    default:
        return before == after;
    }
}

// A small, fast generator seeded from the input, for choosing split points reproducibly.
class Random
{
public:
    explicit Random(const uint8_t *data, size_t size)
    {
        for (size_t i = 0; i < size; ++i)
            m_state = (m_state ^ data[i]) * 0x100000001b3ULL;
    }
    quint64 next()
    {
        // splitmix64
        quint64 z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // In [0, n), n > 0.
    qsizetype below(qsizetype n) { return qsizetype(next() % quint64(n)); }

private:
    quint64 m_state = 0xcbf29ce484222325ULL;
};

} // namespace Fuzz
