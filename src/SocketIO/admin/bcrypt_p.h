// bcrypt verification through the system's crypt library (libxcrypt), never our own bcrypt.
#pragma once

#include <QtCore/QByteArray>

namespace SocketIO::Admin {

// Whether `hash` looks like a bcrypt hash the crypt library verifies ($2a$, $2b$, $2y$).
bool isBcryptHash(const QByteArray &hash);
// Whether `password` matches the bcrypt `hash`; false for anything crypt refuses.
bool verifyBcrypt(const QByteArray &password, const QByteArray &hash);

} // namespace SocketIO::Admin
