#pragma once

#include "core/testable_p.h"

#include "httpoptions.h"

namespace SocketIO::Http {

// A Set-Cookie value in the attribute order of the `cookie` npm package's serialize().
SOCKETIO_TESTABLE QByteArray serializeCookie(const CookieOptions &options, const QString &value);

} // namespace SocketIO::Http
