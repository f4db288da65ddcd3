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
int windowBits(ContentEncoding encoding, int bits = 15)
{
    return encoding == ContentEncoding::Gzip ? bits + 16 : bits;
}
} // namespace

QString validateZlib(const ZlibOptions &options, const QString &prefix)
{
    const auto outside = [&prefix](const char *name, int min, int max) {
        return QStringLiteral("%1%2 must be from %3 to %4")
            .arg(prefix, QLatin1String(name))
            .arg(min)
            .arg(max);
    };
    if (options.level < -1 || options.level > 9)
        return outside("level", -1, 9);
    if (options.windowBits < 8 || options.windowBits > 15)
        return outside("windowBits", 8, 15);
    if (options.memLevel < 1 || options.memLevel > 9)
        return outside("memLevel", 1, 9);
    if (options.strategy < 0 || options.strategy > 4)
        return outside("strategy", 0, 4);
    if (options.chunkSize < 64)
        return QStringLiteral("%1chunkSize must be at least 64").arg(prefix);
    return {};
}

QByteArray compress(const QByteArray &data, ContentEncoding encoding, const ZlibOptions &options)
{
    if (encoding == ContentEncoding::Identity)
        return data;
    z_stream stream{};
    // zlib refuses a raw window of 8 bits for gzip; it means 9 there, as in Node.
    const int bits =
        encoding == ContentEncoding::Gzip ? qMax(options.windowBits, 9) : options.windowBits;
    if (deflateInit2(&stream, options.level, Z_DEFLATED, windowBits(encoding, bits),
                     options.memLevel, options.strategy) != Z_OK)
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
