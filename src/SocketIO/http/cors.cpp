#include "http/cors_p.h"

namespace SocketIO::Http {

namespace {
QByteArray joinList(const QStringList &list)
{
    return list.join(u',').toUtf8();
}

void setHeader(QList<HttpResponse::Header> &headers, const QByteArray &name,
               const QByteArray &value)
{
    for (auto &h : headers) {
        if (h.first == name) {
            h.second = value;
            return;
        }
    }
    headers.append({name, value});
}
} // namespace

bool isOriginListed(const CorsOptions &options, const QString &origin)
{
    if (origin.isEmpty())
        return false;
    if (options.origins.contains(origin))
        return true;
    for (const QRegularExpression &pattern : options.originPatterns) {
        if (pattern.match(origin).hasMatch())
            return true;
    }
    return false;
}

OriginDecision decideOrigin(const CorsOptions &options, const QString &origin)
{
    switch (options.origin) {
    case CorsOptions::Origin::Disabled:
        return OriginDecision::NoHeaders;
    case CorsOptions::Origin::Callback:
        return options.originCallback ? OriginDecision::AskCallback : OriginDecision::NoHeaders;
    case CorsOptions::Origin::List:
        return isOriginListed(options, origin) ? OriginDecision::Allowed
                                               : OriginDecision::NotAllowed;
    case CorsOptions::Origin::Any:
    case CorsOptions::Origin::Reflect:
        break;
    }
    return OriginDecision::Allowed;
}

void appendVary(QList<HttpResponse::Header> &headers, const QByteArray &value)
{
    for (auto &h : headers) {
        if (h.first.compare("vary", Qt::CaseInsensitive) == 0) {
            if (h.second.trimmed() == "*")
                return;
            for (const QByteArray &part : h.second.split(',')) {
                if (part.trimmed().compare(value, Qt::CaseInsensitive) == 0)
                    return;
            }
            h.second += ", " + value;
            return;
        }
    }
    headers.append({QByteArrayLiteral("Vary"), value});
}

bool hasInvalidHeaderChar(QByteArrayView value)
{
    for (char c : value) {
        const auto u = quint8(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f || u > 0xff)
            return true;
    }
    return false;
}

CorsResult corsHeaders(const CorsOptions &options, const HttpRequest &request, bool originAllowed)
{
    CorsResult result;
    auto &headers = result.headers;
    const QByteArray requestOrigin = request.header("origin");
    switch (options.origin) {
    case CorsOptions::Origin::Disabled:
        return result;
    case CorsOptions::Origin::Any:
        setHeader(headers, "Access-Control-Allow-Origin", "*");
        break;
    case CorsOptions::Origin::List:
        // A single fixed origin is sent whatever the request's Origin, like `cors` does.
        if (options.origins.size() == 1 && options.originPatterns.isEmpty()) {
            setHeader(headers, "Access-Control-Allow-Origin", options.origins.first().toUtf8());
            appendVary(headers, "Origin");
            break;
        }
        Q_FALLTHROUGH();
    case CorsOptions::Origin::Reflect:
    case CorsOptions::Origin::Callback:
        if (originAllowed && !requestOrigin.isEmpty())
            setHeader(headers, "Access-Control-Allow-Origin", requestOrigin);
        appendVary(headers, "Origin");
        break;
    }
    if (options.credentials)
        setHeader(headers, "Access-Control-Allow-Credentials", "true");

    result.preflight = request.method() == "OPTIONS";
    if (result.preflight) {
        const QByteArray methods = joinList(options.methods);
        if (!methods.isEmpty())
            setHeader(headers, "Access-Control-Allow-Methods", methods);
        QByteArray allowed;
        if (options.allowedHeaders) {
            allowed = joinList(*options.allowedHeaders);
        } else {
            allowed = request.header("access-control-request-headers");
            appendVary(headers, "Access-Control-Request-Headers");
        }
        if (!allowed.isEmpty())
            setHeader(headers, "Access-Control-Allow-Headers", allowed);
        if (options.maxAge)
            setHeader(headers, "Access-Control-Max-Age", QByteArray::number(*options.maxAge));
    }
    const QByteArray exposed = joinList(options.exposedHeaders);
    if (!exposed.isEmpty())
        setHeader(headers, "Access-Control-Expose-Headers", exposed);
    result.preflight = result.preflight && !options.preflightContinue;
    return result;
}

} // namespace SocketIO::Http
