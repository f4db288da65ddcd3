// bcrypt verification through the system's crypt library (libxcrypt), never our own bcrypt.
#pragma once

#include "core/testable_p.h"

#include <QtCore/QByteArray>

namespace SocketIO::Admin {

// Whether `hash` looks like a bcrypt hash the crypt library verifies ($2a$, $2b$, $2y$).
SOCKETIO_TESTABLE bool isBcryptHash(const QByteArray &hash);
// Whether `password` matches the bcrypt `hash`; false for anything crypt refuses.
SOCKETIO_TESTABLE bool verifyBcrypt(const QByteArray &password, const QByteArray &hash);

} // namespace SocketIO::Admin
