// JSON text <-> QVariant with the semantics of JavaScript's JSON.stringify / JSON.parse, and
// the binary placeholders of the Socket.IO default parser.
#pragma once

#include "core/testable_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QVariant>

namespace SocketIO::Json {

// Appends compact JSON for `value`. QByteArray values become {"_placeholder":true,"num":N}
// and are moved to `attachments`; without `attachments` they are written as null.
SOCKETIO_TESTABLE void write(const QVariant &value, QByteArray &out,
                             QList<QByteArray> *attachments = nullptr);
SOCKETIO_TESTABLE QByteArray stringify(const QVariant &value);
// A number the way JavaScript prints it (1, 1.5, 1e+21, 1e-7; NaN and infinities as null).
SOCKETIO_TESTABLE void writeNumber(double value, QByteArray &out);

// Parses one JSON text (any value, not only objects and arrays). Integral numbers become
// qint64, others double; objects QVariantMap; null an invalid QVariant of type nullptr_t.
SOCKETIO_TESTABLE bool parse(QByteArrayView text, QVariant *value);
// Replaces placeholders with their attachments; false for a placeholder with a bad index.
SOCKETIO_TESTABLE bool resolvePlaceholders(QVariant &value, const QList<QByteArray> &attachments);

} // namespace SocketIO::Json
