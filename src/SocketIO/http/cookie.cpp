#include "http/cookie_p.h"

#include "http/httpparser_p.h"

#include <QtCore/QLocale>
#include <QtCore/QUrl>

#include <algorithm>

namespace SocketIO::Http {

namespace {

// The `cookie` package's check of a value (its name is a token): printable ASCII but double
// quote, comma, semicolon and backslash, optionally inside one pair of double quotes.
bool isCookieValue(QStringView value)
{
    if (value.size() >= 2 && value.front() == u'"' && value.back() == u'"')
        value = value.sliced(1, value.size() - 2);
    return std::all_of(value.cbegin(), value.cend(), [](QChar c) {
        return c.unicode() > 0x20 && c.unicode() < 0x7f && c != u'"' && c != u',' && c != u';' &&
               c != u'\\';
    });
}

} // namespace

QString validateCookie(const CookieOptions &options)
{
    // Latin-1 turns other characters into '?', which is no token character either.
    if (!isToken(options.name.toLatin1()))
        return QStringLiteral("cookie.name \"%1\" is not a valid cookie name").arg(options.name);
    const QString priority = options.priority().toLower();
    if (!priority.isEmpty() && priority != u"low" && priority != u"medium" && priority != u"high")
        return QStringLiteral("cookie.priority must be \"low\", \"medium\" or \"high\"");
    return {};
}

QByteArray serializeCookie(const CookieOptions &options, const QString &value)
{
    const CookieOptions::Encoder encode = options.encode();
    const QString encoded =
        encode ? encode(value) : QString::fromLatin1(QUrl::toPercentEncoding(value, "!'()*~"));
    if (!isCookieValue(encoded))
        return {};
    QByteArray out = options.name.toUtf8() + '=' + encoded.toLatin1();
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
    if (options.isPartitioned())
        out += "; Partitioned";
    const QString priority = options.priority().toLower();
    if (priority == u"low")
        out += "; Priority=Low";
    else if (priority == u"medium")
        out += "; Priority=Medium";
    else if (priority == u"high")
        out += "; Priority=High";
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
