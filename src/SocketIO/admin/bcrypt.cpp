#include "admin/bcrypt_p.h"

#include <crypt.h>

#include <cstring>
#include <memory>

namespace SocketIO::Admin {

bool isBcryptHash(const QByteArray &hash)
{
    // "$2b$" + two cost digits + "$" + 53 characters of salt and digest.
    if (hash.size() != 60 ||
        !(hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$")))
        return false;
    return hash.at(6) == '$' && std::isdigit(uchar(hash.at(4))) && std::isdigit(uchar(hash.at(5)));
}

bool verifyBcrypt(const QByteArray &password, const QByteArray &hash)
{
    if (!isBcryptHash(hash) || password.contains('\0'))
        return false;
    // crypt_data is 32 kB: on the heap, one per call (a login is rare).
    auto data = std::make_unique<crypt_data>();
    std::memset(data.get(), 0, sizeof(crypt_data));
    const char *result =
        crypt_rn(password.constData(), hash.constData(), data.get(), int(sizeof(crypt_data)));
    if (!result || result[0] == '*')
        return false;
    const qsizetype length = qsizetype(std::strlen(result));
    if (length != hash.size())
        return false;
    // Compared in constant time.
    unsigned char diff = 0;
    for (qsizetype i = 0; i < length; ++i)
        diff |= uchar(result[i]) ^ uchar(hash.at(i));
    return diff == 0;
}

} // namespace SocketIO::Admin
