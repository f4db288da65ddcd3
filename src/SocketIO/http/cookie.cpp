#include "http/cookie_p.h"

#include <QtCore/QLocale>
#include <QtCore/QUrl>

namespace SocketIO::Http {

QByteArray serializeCookie(const CookieOptions &options, const QString &value)
{
    QByteArray out = options.name.toUtf8() + '=' + QUrl::toPercentEncoding(value, "!'()*~");
    if (options.maxAge)
        out += "; Max-Age=" + QByteArray::number(*options.maxAge);
    if (!options.domain.isEmpty())
        out += "; Domain=" + options.domain.toUtf8();
    if (!options.path.isEmpty())
        out += "; Path=" + options.path.toUtf8();
    if (options.expires) {
        out += "; Expires=" +
               QLocale::c()
                   .toString(options.expires->toUTC(), u"ddd, dd MMM yyyy hh:mm:ss 'GMT'")
                   .toLatin1();
    }
    if (options.httpOnly)
        out += "; HttpOnly";
    if (options.secure)
        out += "; Secure";
    const QString sameSite = options.sameSite.toLower();
    if (sameSite == u"strict")
        out += "; SameSite=Strict";
    else if (sameSite == u"lax")
        out += "; SameSite=Lax";
    else if (sameSite == u"none")
        out += "; SameSite=None";
    return out;
}

} // namespace SocketIO::Http
