#pragma once

#include "core/testable_p.h"

#include "httpoptions.h"

namespace SocketIO::Http {

// A Set-Cookie value in the attribute order of the `cookie` npm package's serialize(); empty
// when the encoded value has characters a cookie value cannot hold.
SOCKETIO_TESTABLE QByteArray serializeCookie(const CookieOptions &options, const QString &value);
// Empty when the options can make a cookie; else why not.
SOCKETIO_TESTABLE QString validateCookie(const CookieOptions &options);

} // namespace SocketIO::Http
