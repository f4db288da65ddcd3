#include "httpoptions.h"

namespace SocketIO {

/*!
    \class SocketIO::CorsOptions
    \inmodule SocketIO
    \brief Cross-origin resource sharing of the HTTP front, with the semantics and defaults of
    the \c cors npm package that engine.io uses.

    Part of EngineOptions; the HTTP layer applies it.
*/

/*!
    \class SocketIO::CookieOptions
    \inmodule SocketIO
    \brief The sticky-session cookie the engine can set on the handshake (the \c cookie option).
*/

/*!
    \class SocketIO::HttpCompressionOptions
    \inmodule SocketIO
    \brief When the HTTP front compresses a response body.
*/

/*!
    \class SocketIO::HttpLimits
    \inmodule SocketIO
    \brief The limits of the HTTP front, with the knobs and defaults of Node's http.Server.
*/

/*!
    Returns options that allow the one \a origin (the form a single origin string takes in the
    \c cors package).
*/
CorsOptions CorsOptions::allowingOrigin(const QString &origin)
{
    CorsOptions options;
    options.origin = Origin::List;
    options.origins = {origin};
    return options;
}

} // namespace SocketIO
