#pragma once

#include <QtCore/QSharedDataPointer>

namespace SocketIO {

// The implicitly shared value classes (Handshake, BroadcastFlags, ...) keep a null d-pointer
// for "all defaults", so a default-constructed value allocates nothing. Read through
// sharedData(), write through detachedData().

// The data, or a default-constructed one when `d` is null.
template<typename T> const T &sharedData(const QSharedDataPointer<T> &d) noexcept
{
    static const T defaults;
    return d ? *d.constData() : defaults;
}

// The data, allocated (with the defaults) when `d` was null, detached when it was shared.
template<typename T> T *detachedData(QSharedDataPointer<T> &d)
{
    if (!d)
        d.reset(new T);
    return d.data();
}

} // namespace SocketIO
