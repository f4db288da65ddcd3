// The tables that pair a reason or error enum with its Socket.IO reference string, and the
// two look-ups over them. Only reached when a connection closes or fails, never per packet.
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringView>

#include <cstddef>
#include <iterator>
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

// Why an Engine.IO connection closed, one table for both ends: EngineSocket::CloseReason and
// Manager::CloseReason are the same list (public on each side, each with its own docs), Unknown
// first, then these strings in this order; each side checks that order where it is defined.
inline constexpr const char16_t *engineCloseReasons[] = {
    u"transport close", u"transport error", u"ping timeout", u"parse error", u"forced close",
};
constexpr int engineCloseReasonCount = int(std::size(engineCloseReasons));

template<typename Enum> QString engineCloseReasonString(Enum reason)
{
    const int index = int(reason) - 1; // Unknown is 0
    if (index < 0 || index >= engineCloseReasonCount)
        return {};
    return QString::fromUtf16(engineCloseReasons[index]);
}

template<typename Enum> Enum engineCloseReasonFromString(QStringView text)
{
    for (int i = 0; i < engineCloseReasonCount; ++i) {
        if (text == QStringView(engineCloseReasons[i]))
            return Enum(i + 1);
    }
    return Enum(0);
}

} // namespace SocketIO
