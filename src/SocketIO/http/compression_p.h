#pragma once

#include "core/testable_p.h"

#include <QtCore/QByteArray>

namespace SocketIO::Http {

enum class ContentEncoding { Identity, Gzip, Deflate };

// The encoding to use for a response, from the request's Accept-Encoding, choosing between
// gzip and deflate like the `accepts` npm package (quality first, then header order).
SOCKETIO_TESTABLE ContentEncoding negotiateEncoding(const QByteArray &acceptEncoding);
SOCKETIO_TESTABLE QByteArray encodingName(ContentEncoding encoding);
// Compresses with zlib (gzip or zlib-wrapped deflate, as Node's zlib does).
SOCKETIO_TESTABLE QByteArray compress(const QByteArray &data, ContentEncoding encoding);
SOCKETIO_TESTABLE QByteArray decompress(const QByteArray &data, ContentEncoding encoding);

} // namespace SocketIO::Http
