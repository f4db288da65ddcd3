#include "http/compression_p.h"

#include <QtCore/QList>

#include <zlib.h>

namespace SocketIO::Http {

ContentEncoding negotiateEncoding(const QByteArray &acceptEncoding)
{
    struct Choice
    {
        double q = -1;
        int order = 0;
        bool exact = false;
    };
    Choice gzip, deflate, any;
    int order = 0;
    for (const QByteArray &item : acceptEncoding.split(',')) {
        const QList<QByteArray> parts = item.split(';');
        const QByteArray name = parts.first().trimmed().toLower();
        if (name.isEmpty())
            continue;
        double q = 1;
        for (qsizetype i = 1; i < parts.size(); ++i) {
            const QByteArray param = parts.at(i).trimmed();
            if (param.startsWith("q=")) {
                bool ok = false;
                q = param.mid(2).toDouble(&ok);
                if (!ok)
                    q = 0;
            }
        }
        Choice *target = name == "gzip"      ? &gzip
                         : name == "deflate" ? &deflate
                         : name == "*"       ? &any
                                             : nullptr;
        if (target && target->q < 0)
            *target = {q, order, target != &any};
        ++order;
    }
    if (gzip.q < 0 && any.q >= 0)
        gzip = any;
    if (deflate.q < 0 && any.q >= 0)
        deflate = any;
    const bool gzipOk = gzip.q > 0;
    const bool deflateOk = deflate.q > 0;
    if (gzipOk && deflateOk) {
        // Like negotiator: quality, then an exact match over "*", then header order.
        if (gzip.q != deflate.q)
            return gzip.q > deflate.q ? ContentEncoding::Gzip : ContentEncoding::Deflate;
        if (gzip.exact != deflate.exact)
            return gzip.exact ? ContentEncoding::Gzip : ContentEncoding::Deflate;
        return deflate.order < gzip.order ? ContentEncoding::Deflate : ContentEncoding::Gzip;
    }
    if (gzipOk)
        return ContentEncoding::Gzip;
    if (deflateOk)
        return ContentEncoding::Deflate;
    return ContentEncoding::Identity;
}

QByteArray encodingName(ContentEncoding encoding)
{
    switch (encoding) {
    case ContentEncoding::Gzip:
        return QByteArrayLiteral("gzip");
    case ContentEncoding::Deflate:
        return QByteArrayLiteral("deflate");
    case ContentEncoding::Identity:
        break;
    }
    return QByteArrayLiteral("identity");
}

namespace {
int windowBits(ContentEncoding encoding)
{
    return encoding == ContentEncoding::Gzip ? 15 + 16 : 15;
}
} // namespace

QByteArray compress(const QByteArray &data, ContentEncoding encoding)
{
    if (encoding == ContentEncoding::Identity)
        return data;
    z_stream stream{};
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits(encoding), 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out(qsizetype(deflateBound(&stream, uLong(data.size()))), Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    const int result = deflate(&stream, Z_FINISH);
    out.resize(qsizetype(stream.total_out));
    deflateEnd(&stream);
    return result == Z_STREAM_END ? out : QByteArray();
}

QByteArray decompress(const QByteArray &data, ContentEncoding encoding)
{
    if (encoding == ContentEncoding::Identity)
        return data;
    z_stream stream{};
    if (inflateInit2(&stream, windowBits(encoding)) != Z_OK)
        return {};
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    QByteArray out;
    char buffer[16384];
    int result = Z_OK;
    while (result == Z_OK) {
        stream.next_out = reinterpret_cast<Bytef *>(buffer);
        stream.avail_out = sizeof buffer;
        result = inflate(&stream, Z_NO_FLUSH);
        out.append(buffer, qsizetype(sizeof buffer - stream.avail_out));
    }
    inflateEnd(&stream);
    return result == Z_STREAM_END ? out : QByteArray();
}

} // namespace SocketIO::Http
