#include "parser/msgpack_p.h"

#include "core/variant_p.h"
#include "parser/number_p.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonValue>
#include <QtCore/QtEndian>

#include <cmath>
#include <cstring>

namespace SocketIO::MsgPack {

namespace {

// JavaScript's Date range, 10^8 days either way of 1970: past it, new Date() is invalid.
constexpr qint64 MaxDateMs = 8'640'000'000'000'000;

template<typename T> void putBig(QByteArray &out, T value)
{
    const T big = qToBigEndian(value);
    out.append(reinterpret_cast<const char *>(&big), sizeof(T));
}

void writeInteger(qint64 v, QByteArray &out)
{
    if (v >= 0) {
        if (v < 128) {
            out.append(char(v));
        } else if (v < 256) {
            out.append(char(0xcc));
            out.append(char(v));
        } else if (v < 65536) {
            out.append(char(0xcd));
            putBig<quint16>(out, quint16(v));
        } else if (v <= 0xffffffffLL) {
            out.append(char(0xce));
            putBig<quint32>(out, quint32(v));
        } else {
            out.append(char(0xcf));
            putBig<quint64>(out, quint64(v));
        }
        return;
    }
    if (v >= -32) {
        out.append(char(v));
    } else if (v >= -128) {
        out.append(char(0xd0));
        out.append(char(v));
    } else if (v >= -32768) {
        out.append(char(0xd1));
        putBig<qint16>(out, qint16(v));
    } else if (v >= -2147483648LL) {
        out.append(char(0xd2));
        putBig<qint32>(out, qint32(v));
    } else {
        out.append(char(0xd3));
        putBig<qint64>(out, v);
    }
}

void writeDouble(double d, QByteArray &out)
{
    // notepack writes integral numbers as integers and the rest as float64.
    if (isSafeInteger(d)) {
        writeInteger(qint64(d), out);
        return;
    }
    quint64 bits;
    std::memcpy(&bits, &d, sizeof bits);
    out.append(char(0xcb));
    putBig<quint64>(out, bits);
}

void writeHeader(QByteArray &out, quint32 size, quint8 fix, int fixLimit, quint8 c8, quint8 c16,
                 quint8 c32)
{
    if (size < quint32(fixLimit)) {
        out.append(char(fix | size));
    } else if (c8 && size < 256) {
        out.append(char(c8));
        out.append(char(size));
    } else if (size < 65536) {
        out.append(char(c16));
        putBig<quint16>(out, quint16(size));
    } else {
        out.append(char(c32));
        putBig<quint32>(out, size);
    }
}

void writeString(const QString &s, QByteArray &out)
{
    const QByteArray utf8 = s.toUtf8();
    writeHeader(out, quint32(utf8.size()), 0xa0, 32, 0xd9, 0xda, 0xdb);
    out.append(utf8);
}

void writeBinary(const QByteArray &b, QByteArray &out)
{
    const quint32 size = quint32(b.size());
    if (size < 256) {
        out.append(char(0xc4));
        out.append(char(size));
    } else if (size < 65536) {
        out.append(char(0xc5));
        putBig<quint16>(out, quint16(size));
    } else {
        out.append(char(0xc6));
        putBig<quint32>(out, size);
    }
    out.append(b);
}

template<typename Map> void writeMap(const Map &map, QByteArray &out)
{
    // Like notepack, entries whose value is undefined (an invalid QVariant) are left out.
    quint32 count = 0;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        count += it.value().isValid() ? 1 : 0;
    writeHeader(out, count, 0x80, 16, 0, 0xde, 0xdf);
    for (auto it = map.cbegin(); it != map.cend(); ++it) {
        if (!it.value().isValid())
            continue;
        writeString(it.key(), out);
        write(it.value(), out);
    }
}

// new Date(ms) in JavaScript: truncated to whole milliseconds, and an Invalid Date (written
// back as null) outside its +-8.64e15 ms. Doubles: a timestamp's seconds * 1000 overflow
// 64-bit integers.
QDateTime dateFromMSecs(double ms)
{
    ms = std::trunc(ms);
    if (!(std::abs(ms) <= double(MaxDateMs)))
        return {};
    return QDateTime::fromMSecsSinceEpoch(qint64(ms), Qt::UTC);
}

struct Reader
{
    const uchar *p;
    const uchar *end;
    QString error;
    int depth = 0;

    bool need(qsizetype n)
    {
        if (end - p < n) {
            error = QStringLiteral("truncated msgpack data");
            return false;
        }
        return true;
    }
    template<typename T> bool big(T *value)
    {
        if (!need(sizeof(T)))
            return false;
        *value = qFromBigEndian<T>(p);
        p += sizeof(T);
        return true;
    }
    bool bytes(quint32 n, QByteArray *out)
    {
        if (!need(n))
            return false;
        *out = QByteArray(reinterpret_cast<const char *>(p), n);
        p += n;
        return true;
    }
    bool str(quint32 n, QVariant *out)
    {
        if (!need(n))
            return false;
        *out = QString::fromUtf8(reinterpret_cast<const char *>(p), n);
        p += n;
        return true;
    }
    bool array(quint32 n, QVariant *out)
    {
        QVariantList list;
        list.reserve(qMin<quint32>(n, 1024));
        for (quint32 i = 0; i < n; ++i) {
            QVariant item;
            if (!value(&item))
                return false;
            list.append(item);
        }
        *out = list;
        return true;
    }
    bool map(quint32 n, QVariant *out)
    {
        QVariantMap map;
        for (quint32 i = 0; i < n; ++i) {
            QVariant key, item;
            if (!value(&key) || !value(&item))
                return false;
            // Keys become strings the way JavaScript's String() makes them.
            QString name;
            switch (key.typeId()) {
            case QMetaType::Nullptr:
                name = QStringLiteral("null");
                break;
            case QMetaType::Bool:
                name = key.toBool() ? QStringLiteral("true") : QStringLiteral("false");
                break;
            case QMetaType::UnknownType:
                name = QStringLiteral("undefined");
                break;
            default:
                name = key.toString();
                break;
            }
            map.insert(name, item);
        }
        *out = map;
        return true;
    }
    bool ext(quint32 n, QVariant *out, bool fixed = true)
    {
        qint8 type;
        if (!big(&type) || !need(n))
            return false;
        // notepack: fixext1 type 0 is undefined; ext8/16/32 of type 0 is its old binary
        // encoding; type -1 is a Date (timestamp).
        if (type == 0 && n == 1 && fixed) {
            p += 1;
            *out = QVariant();
            return true;
        }
        if (type == 0 && !fixed) {
            QByteArray b;
            if (!bytes(n, &b))
                return false;
            *out = b;
            return true;
        }
        if (type == -1 && (n == 4 || n == 8 || n == 12)) {
            qint64 seconds = 0;
            quint32 nanoseconds = 0;
            if (n == 4) {
                seconds = qFromBigEndian<quint32>(p);
            } else if (n == 8) {
                const quint64 v = qFromBigEndian<quint64>(p);
                nanoseconds = quint32(v >> 34);
                seconds = qint64(v & 0x3ffffffffULL);
            } else {
                nanoseconds = qFromBigEndian<quint32>(p);
                seconds = qFromBigEndian<qint64>(p + 4);
            }
            p += n;
            *out = dateFromMSecs(double(seconds) * 1e3 + double(nanoseconds) / 1e6);
            return true;
        }
        // notepack's old Date: fixext8 of type 0 holding milliseconds as a big-endian double
        // or integer.
        if (type == 0 && n == 8) {
            const quint64 v = qFromBigEndian<quint64>(p);
            p += 8;
            double ms;
            std::memcpy(&ms, &v, sizeof ms);
            if (!std::isfinite(ms) || std::abs(ms) > 8.64e15 || (ms != 0 && std::abs(ms) < 1e-300))
                ms = double(qint64(v));
            *out = dateFromMSecs(ms);
            return true;
        }
        // Any other extension reads as [type, bytes], as notepack does.
        QByteArray b;
        if (!bytes(n, &b))
            return false;
        *out = QVariantList{qint64(type), b};
        return true;
    }
    bool value(QVariant *out)
    {
        if (++depth > 256) {
            error = QStringLiteral("msgpack data nested too deeply");
            return false;
        }
        const bool ok = readValue(out);
        --depth;
        return ok;
    }
    bool readValue(QVariant *out)
    {
        if (!need(1))
            return false;
        const uchar c = *p++;
        if (c < 0x80) {
            *out = qint64(c);
            return true;
        }
        if (c >= 0xe0) {
            *out = qint64(qint8(c));
            return true;
        }
        if ((c & 0xf0) == 0x80)
            return map(c & 0x0f, out);
        if ((c & 0xf0) == 0x90)
            return array(c & 0x0f, out);
        if ((c & 0xe0) == 0xa0)
            return str(c & 0x1f, out);
        quint8 u8;
        quint16 u16;
        quint32 u32;
        quint64 u64;
        qint8 i8;
        qint16 i16;
        qint32 i32;
        qint64 i64;
        QByteArray b;
        switch (c) {
        case 0xc0:
            *out = QVariant::fromValue(nullptr);
            return true;
        case 0xc2:
            *out = false;
            return true;
        case 0xc3:
            *out = true;
            return true;
        case 0xc4:
            if (!big(&u8) || !bytes(u8, &b))
                return false;
            *out = b;
            return true;
        case 0xc5:
            if (!big(&u16) || !bytes(u16, &b))
                return false;
            *out = b;
            return true;
        case 0xc6:
            if (!big(&u32) || !bytes(u32, &b))
                return false;
            *out = b;
            return true;
        case 0xc7:
            if (!big(&u8))
                return false;
            return ext(u8, out, false);
        case 0xc8:
            if (!big(&u16))
                return false;
            return ext(u16, out, false);
        case 0xc9:
            if (!big(&u32))
                return false;
            return ext(u32, out, false);
        case 0xca: {
            if (!big(&u32))
                return false;
            float f;
            std::memcpy(&f, &u32, sizeof f);
            *out = double(f);
            return true;
        }
        case 0xcb: {
            if (!big(&u64))
                return false;
            double d;
            std::memcpy(&d, &u64, sizeof d);
            *out = d;
            return true;
        }
        case 0xcc:
            if (!big(&u8))
                return false;
            *out = qint64(u8);
            return true;
        case 0xcd:
            if (!big(&u16))
                return false;
            *out = qint64(u16);
            return true;
        case 0xce:
            if (!big(&u32))
                return false;
            *out = qint64(u32);
            return true;
        case 0xcf:
            if (!big(&u64))
                return false;
            *out = u64 <= quint64(std::numeric_limits<qint64>::max()) ? QVariant(qint64(u64))
                                                                      : QVariant(double(u64));
            return true;
        case 0xd0:
            if (!big(&i8))
                return false;
            *out = qint64(i8);
            return true;
        case 0xd1:
            if (!big(&i16))
                return false;
            *out = qint64(i16);
            return true;
        case 0xd2:
            if (!big(&i32))
                return false;
            *out = qint64(i32);
            return true;
        case 0xd3:
            if (!big(&i64))
                return false;
            *out = i64;
            return true;
        case 0xd4:
            return ext(1, out);
        case 0xd5:
            return ext(2, out);
        case 0xd6:
            return ext(4, out);
        case 0xd7:
            return ext(8, out);
        case 0xd8:
            return ext(16, out);
        case 0xd9:
            if (!big(&u8))
                return false;
            return str(u8, out);
        case 0xda:
            if (!big(&u16))
                return false;
            return str(u16, out);
        case 0xdb:
            if (!big(&u32))
                return false;
            return str(u32, out);
        case 0xdc:
            if (!big(&u16))
                return false;
            return array(u16, out);
        case 0xdd:
            if (!big(&u32))
                return false;
            return array(u32, out);
        case 0xde:
            if (!big(&u16))
                return false;
            return map(u16, out);
        case 0xdf:
            if (!big(&u32))
                return false;
            return map(u32, out);
        default:
            error = QStringLiteral("invalid msgpack byte 0x%1").arg(c, 2, 16, QLatin1Char('0'));
            return false;
        }
    }
};

} // namespace

void write(const QVariant &value, QByteArray &out)
{
    if (visitNumber(
            value, [&out](qint64 v) { writeInteger(v, out); },
            [&out](double v) { writeDouble(v, out); }))
        return;
    switch (value.typeId()) {
    case QMetaType::UnknownType:
        // undefined: notepack 3 writes it as nil
        out.append(char(0xc0));
        return;
    case QMetaType::Nullptr:
    case QMetaType::Void:
        out.append(char(0xc0));
        return;
    case QMetaType::Bool:
        out.append(char(value.toBool() ? 0xc3 : 0xc2));
        return;
    case QMetaType::QByteArray:
        writeBinary(*static_cast<const QByteArray *>(value.constData()), out);
        return;
    case QMetaType::QString:
        writeString(*static_cast<const QString *>(value.constData()), out);
        return;
    case QMetaType::QDateTime: {
        // The msgpack timestamp extension (type -1), as notepack writes a Date.
        const QDateTime when = value.toDateTime();
        if (!when.isValid()) {
            out.append(char(0xc0));
            return;
        }
        const qint64 ms = when.toMSecsSinceEpoch();
        qint64 seconds = ms / 1000;
        qint64 nanoseconds = (ms % 1000) * 1000000;
        if (nanoseconds < 0) {
            nanoseconds += 1000000000;
            --seconds;
        }
        if (nanoseconds == 0 && seconds >= 0 && seconds <= 0xffffffffLL) {
            out.append("\xd6\xff", 2);
            putBig<quint32>(out, quint32(seconds));
        } else if (seconds >= 0 && seconds < (1LL << 34)) {
            out.append("\xd7\xff", 2);
            putBig<quint64>(out, (quint64(nanoseconds) << 34) | quint64(seconds));
        } else {
            out.append("\xc7\x0c\xff", 3);
            putBig<quint32>(out, quint32(nanoseconds));
            putBig<qint64>(out, seconds);
        }
        return;
    }
    case QMetaType::QVariantList:
    case QMetaType::QStringList: {
        const QVariantList list = value.toList();
        writeHeader(out, quint32(list.size()), 0x90, 16, 0, 0xdc, 0xdd);
        for (const QVariant &item : list)
            write(item, out);
        return;
    }
    case QMetaType::QVariantMap:
        writeMap(*static_cast<const QVariantMap *>(value.constData()), out);
        return;
    case QMetaType::QVariantHash:
        writeMap(*static_cast<const QVariantHash *>(value.constData()), out);
        return;
    case QMetaType::QJsonValue:
    case QMetaType::QJsonObject:
    case QMetaType::QJsonArray:
        write(value.value<QJsonValue>().toVariant(), out);
        return;
    default:
        if (value.canConvert<QString>())
            writeString(value.toString(), out);
        else
            out.append(char(0xc0));
        return;
    }
}

QByteArray encode(const QVariant &value)
{
    QByteArray out;
    write(value, out);
    return out;
}

bool decode(QByteArrayView data, QVariant *value, QString *error)
{
    Reader reader{reinterpret_cast<const uchar *>(data.data()),
                  reinterpret_cast<const uchar *>(data.data()) + data.size(),
                  {}};
    if (!reader.value(value)) {
        if (error)
            *error = reader.error;
        return false;
    }
    if (reader.p != reader.end) {
        if (error)
            *error = QStringLiteral("trailing bytes after msgpack value");
        return false;
    }
    return true;
}

} // namespace SocketIO::MsgPack
