// The number rules that the JSON and msgpack readers and writers share: JavaScript has one
// number type, so a whole double and an integer are the same value to the peer.
#pragma once

#include <QtCore/QtGlobal>

#include <cmath>

namespace SocketIO {

// 2^53: from here on a double no longer holds every integer.
inline constexpr qint64 TwoTo53 = qint64(1) << 53;

// Number.isSafeInteger: finite, whole, and below 2^53 in magnitude, so it converts to qint64
// and back unchanged. -0 counts (it is whole); a reader that must keep -0 tests the sign too.
inline bool isSafeInteger(double d)
{
    return std::isfinite(d) && d == std::trunc(d) && std::abs(d) < double(TwoTo53);
}

} // namespace SocketIO
