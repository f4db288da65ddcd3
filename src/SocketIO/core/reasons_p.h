// The tables that pair a reason or error enum with its Socket.IO reference string, and the
// two look-ups over them. Only reached when a connection closes or fails, never per packet.
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringView>

#include <cstddef>
#include <utility>

namespace SocketIO {

template<typename Enum> using ReasonEntry = std::pair<Enum, const char16_t *>;

// The reference string of `value`; empty when the table does not hold it.
template<typename Enum, std::size_t N>
QString reasonToString(const ReasonEntry<Enum> (&table)[N], Enum value)
{
    for (const ReasonEntry<Enum> &entry : table) {
        if (entry.first == value)
            return QString::fromUtf16(entry.second);
    }
    return {};
}

// The enum of the reference string `text`; `fallback` for a string the table does not hold.
template<typename Enum, std::size_t N>
Enum reasonFromString(const ReasonEntry<Enum> (&table)[N], QStringView text, Enum fallback)
{
    for (const ReasonEntry<Enum> &entry : table) {
        if (text == QStringView(entry.second))
            return entry.first;
    }
    return fallback;
}

} // namespace SocketIO
