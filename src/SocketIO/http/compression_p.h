#pragma once

#include "core/testable_p.h"
#include "httpoptions.h"

#include <QtCore/QByteArray>

namespace SocketIO::Http {

enum class ContentEncoding { Identity, Gzip, Deflate };

// The encoding to use for a response, from the request's Accept-Encoding, choosing between
// gzip and deflate like the `accepts` npm package (quality first, then header order).
SOCKETIO_TESTABLE ContentEncoding negotiateEncoding(const QByteArray &acceptEncoding);
SOCKETIO_TESTABLE QByteArray encodingName(ContentEncoding encoding);
// Compresses with zlib (gzip or zlib-wrapped deflate, as Node's zlib does).
SOCKETIO_TESTABLE QByteArray compress(const QByteArray &data, ContentEncoding encoding,
                                      const ZlibOptions &options = {});
// Empty when usable; else why not, naming the field under \a prefix ("httpCompression.").
SOCKETIO_TESTABLE QString validateZlib(const ZlibOptions &options, const QString &prefix);
SOCKETIO_TESTABLE QByteArray decompress(const QByteArray &data, ContentEncoding encoding);

} // namespace SocketIO::Http
