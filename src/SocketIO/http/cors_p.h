// CORS headers with the semantics of the `cors` npm package (used by engine.io).
#pragma once

#include "core/testable_p.h"

#include "httpoptions.h"
#include "httprequest.h"

namespace SocketIO::Http {

struct CorsResult
{
    QList<HttpResponse::Header> headers;
    bool preflight = false; // an OPTIONS request the CORS layer answers itself
};

// What the `cors` middleware decides for a request's origin, in every mode.
enum class OriginDecision {
    NoHeaders,   // the Disabled mode, or a Callback mode without a callback: CORS adds nothing
    Allowed,     // headers, with the origin allowed
    NotAllowed,  // headers, without Access-Control-Allow-Origin for this origin (List mode)
    AskCallback, // the Callback mode: its callback decides, later
};
SOCKETIO_TESTABLE OriginDecision decideOrigin(const CorsOptions &options, const QString &origin);

// Headers for a request once the origin has been decided. `originAllowed` only matters for
// the List and Callback modes.
SOCKETIO_TESTABLE CorsResult corsHeaders(const CorsOptions &options, const HttpRequest &request,
                                         bool originAllowed);
// Whether `origin` is allowed by the List mode.
SOCKETIO_TESTABLE bool isOriginListed(const CorsOptions &options, const QString &origin);
// Adds `value` to the comma-separated Vary header, once.
SOCKETIO_TESTABLE void appendVary(QList<HttpResponse::Header> &headers, const QByteArray &value);
// Whether an Origin header value holds characters that are invalid in a header.
SOCKETIO_TESTABLE bool hasInvalidHeaderChar(QByteArrayView value);

} // namespace SocketIO::Http
