#include "parser/json_p.h"

#include "core/hex_p.h"
#include "core/variant_p.h"
#include "parser/number_p.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QUrl>
#include <QtCore/QUuid>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace SocketIO::Json {

namespace {

// Appends to a QByteArray through a plain pointer. QByteArray::append() costs a call and a
// capacity check per piece, which was most of the time spent writing a small packet.
class Writer
{
public:
    explicit Writer(QByteArray &out)
        : m_out(out)
        , m_size(out.size())
    {
        // The room the buffer has already, or some.
        if (out.capacity() - m_size >= 16) {
            m_out.resize(out.capacity());
            m_data = m_out.data();
        } else {
            grow(64);
        }
    }
    ~Writer() { m_out.resize(m_size); }
    Q_DISABLE_COPY_MOVE(Writer)

    // Room for `n` bytes, which the caller fills.
    char *claim(qsizetype n)
    {
        if (m_out.size() - m_size < n)
            grow(n);
        char *at = m_data + m_size;
        m_size += n;
        return at;
    }
    void put(char c) { *claim(1) = c; }
    void put(const char *text, qsizetype n) { std::memcpy(claim(n), text, size_t(n)); }
    template<qsizetype N> void put(const char (&literal)[N]) { put(literal, N - 1); }

private:
    void grow(qsizetype n)
    {
        m_out.resize(std::max(m_size + n, 2 * m_out.size()));
        m_data = m_out.data();
    }

    QByteArray &m_out;
    qsizetype m_size; // what is written; m_out's size is the room
    char *m_data = nullptr;
};

void writeString(QStringView s, Writer &out)
{
    static const char hex[] = "0123456789abcdef";
    out.put('"');
    const char16_t *p = s.utf16();
    const char16_t *end = p + s.size();
    while (p < end) {
        // Copy a run of plain ASCII at once.
        const char16_t *run = p;
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != u'"' && *p != u'\\')
            ++p;
        if (p > run) {
            char *dst = out.claim(p - run);
            for (const char16_t *c = run; c < p; ++c)
                *dst++ = char(*c);
        }
        if (p >= end)
            break;
        const char16_t c = *p++;
        if (c == u'"') {
            out.put("\\\"");
        } else if (c == u'\\') {
            out.put("\\\\");
        } else if (c < 0x20) {
            switch (c) {
            case u'\b':
                out.put("\\b");
                break;
            case u'\f':
                out.put("\\f");
                break;
            case u'\n':
                out.put("\\n");
                break;
            case u'\r':
                out.put("\\r");
                break;
            case u'\t':
                out.put("\\t");
                break;
            default: {
                const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                out.put(esc, 6);
            }
            }
        } else if (c < 0x800) {
            char *dst = out.claim(2);
            dst[0] = char(0xc0 | (c >> 6));
            dst[1] = char(0x80 | (c & 0x3f));
        } else if (!QChar::isSurrogate(c)) {
            char *dst = out.claim(3);
            dst[0] = char(0xe0 | (c >> 12));
            dst[1] = char(0x80 | ((c >> 6) & 0x3f));
            dst[2] = char(0x80 | (c & 0x3f));
        } else if (QChar::isHighSurrogate(c) && p < end && QChar::isLowSurrogate(*p)) {
            const char32_t u = QChar::surrogateToUcs4(c, *p++);
            char *dst = out.claim(4);
            dst[0] = char(0xf0 | (u >> 18));
            dst[1] = char(0x80 | ((u >> 12) & 0x3f));
            dst[2] = char(0x80 | ((u >> 6) & 0x3f));
            dst[3] = char(0x80 | (u & 0x3f));
        } else {
            // A lone surrogate: JSON.stringify escapes it (well-formed stringify).
            const char esc[] = {
                '\\', 'u', hex[c >> 12], hex[(c >> 8) & 15], hex[(c >> 4) & 15], hex[c & 15]};
            out.put(esc, 6);
        }
    }
    out.put('"');
}

void writeInteger(qint64 v, Writer &out)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.put(buffer, result.ptr - buffer);
}

void writeReal(double value, Writer &out);
void writeValue(const QVariant &value, Writer &out, QList<QByteArray> *attachments);

void writeList(const QVariantList &list, Writer &out, QList<QByteArray> *attachments)
{
    out.put('[');
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (i)
            out.put(',');
        writeValue(list.at(i), out, attachments);
    }
    out.put(']');
}

template<typename Map> void writeMap(const Map &map, Writer &out, QList<QByteArray> *attachments)
{
    out.put('{');
    bool first = true;
    for (auto it = map.cbegin(); it != map.cend(); ++it) {
        if (!first)
            out.put(',');
        first = false;
        writeString(it.key(), out);
        out.put(':');
        writeValue(it.value(), out, attachments);
    }
    out.put('}');
}

void writeValue(const QVariant &value, Writer &out, QList<QByteArray> *attachments)
{
    if (visitNumber(
            value, [&out](qint64 v) { writeInteger(v, out); },
            [&out](double v) { writeReal(v, out); }))
        return;
    switch (value.typeId()) {
    case QMetaType::UnknownType:
    case QMetaType::Nullptr:
    case QMetaType::Void:
        out.put("null");
        return;
    case QMetaType::Bool:
        if (value.toBool())
            out.put("true");
        else
            out.put("false");
        return;
    case QMetaType::QString:
        writeString(*static_cast<const QString *>(value.constData()), out);
        return;
    case QMetaType::QChar:
    case QMetaType::QUrl:
    case QMetaType::QUuid:
        writeString(value.toString(), out);
        return;
    case QMetaType::QDateTime: {
        // Date.prototype.toJSON: ISO 8601 in UTC with milliseconds; null when invalid.
        const QDateTime when = value.toDateTime();
        if (when.isValid())
            writeString(when.toUTC().toString(Qt::ISODateWithMs), out);
        else
            out.put("null");
        return;
    }
    case QMetaType::QByteArray:
        if (!attachments) {
            out.put("null");
            return;
        }
        out.put("{\"_placeholder\":true,\"num\":");
        writeInteger(attachments->size(), out);
        out.put('}');
        attachments->append(*static_cast<const QByteArray *>(value.constData()));
        return;
    case QMetaType::QVariantList:
        writeList(*static_cast<const QVariantList *>(value.constData()), out, attachments);
        return;
    case QMetaType::QStringList: {
        const QStringList &list = *static_cast<const QStringList *>(value.constData());
        out.put('[');
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (i)
                out.put(',');
            writeString(list.at(i), out);
        }
        out.put(']');
        return;
    }
    case QMetaType::QVariantMap:
        writeMap(*static_cast<const QVariantMap *>(value.constData()), out, attachments);
        return;
    case QMetaType::QVariantHash:
        writeMap(*static_cast<const QVariantHash *>(value.constData()), out, attachments);
        return;
    case QMetaType::QJsonValue:
    case QMetaType::QJsonObject:
    case QMetaType::QJsonArray:
    case QMetaType::QJsonDocument:
        writeValue(value.value<QJsonValue>().toVariant(), out, attachments);
        return;
    default:
        if (value.canConvert<QVariantList>() && value.typeId() != QMetaType::QString) {
            writeList(value.value<QVariantList>(), out, attachments);
        } else if (value.canConvert<QString>()) {
            writeString(value.toString(), out);
        } else {
            out.put("null");
        }
        return;
    }
}

} // namespace

namespace {

void writeReal(double value, Writer &out)
{
    if (!std::isfinite(value)) {
        out.put("null");
        return;
    }
    if (value == 0) {
        out.put('0');
        return;
    }
    if (isSafeInteger(value)) {
        // Exact integers print without exponent or fraction.
        char buffer[32];
        const auto result =
            std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
        out.put(buffer, result.ptr - buffer);
        return;
    }
    // Shortest round-trip digits, laid out as Number.prototype.toString does.
    char buffer[40];
    const auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    const std::string_view sci(buffer, result.ptr - buffer);
    const size_t e = sci.find('e');
    std::string_view mantissa = sci.substr(0, e);
    const int exponent = std::stoi(std::string(sci.substr(e + 1)));
    const bool negative = mantissa.front() == '-';
    if (negative)
        mantissa.remove_prefix(1);
    std::string digits;
    for (char c : mantissa) {
        if (c != '.')
            digits.push_back(c);
    }
    const int k = int(digits.size());
    const int n = exponent + 1; // position of the decimal point
    std::string text = negative ? "-" : "";
    if (k <= n && n <= 21) {
        text += digits + std::string(n - k, '0');
    } else if (0 < n && n <= 21) {
        text += digits.substr(0, n) + '.' + digits.substr(n);
    } else if (-6 < n && n <= 0) {
        text += "0." + std::string(-n, '0') + digits;
    } else {
        text += digits.substr(0, 1);
        if (k > 1)
            text += '.' + digits.substr(1);
        text += 'e';
        text += n - 1 >= 0 ? '+' : '-';
        text += std::to_string(std::abs(n - 1));
    }
    out.put(text.data(), qsizetype(text.size()));
}

} // namespace

void writeNumber(double value, QByteArray &out)
{
    Writer writer(out);
    writeReal(value, writer);
}

void write(const QVariant &value, QByteArray &out, QList<QByteArray> *attachments)
{
    Writer writer(out);
    writeValue(value, writer, attachments);
}

QByteArray stringify(const QVariant &value)
{
    QByteArray out;
    write(value, out, nullptr);
    return out;
}

namespace {
// Recently seen short ASCII strings of this thread (object keys, event names), so that the
// same key in every message shares one QString instead of allocating and converting it
// again. Direct-mapped: a miss replaces the slot.
class Interned
{
public:
    static constexpr qsizetype MaxSize = 32;

    // This thread's cache. Reaching a thread_local from a shared library costs a call: a
    // parse looks it up once.
    static Interned &local()
    {
        static thread_local Interned cache;
        return cache;
    }

    QString get(const char *text, qsizetype size)
    {
        Slot &slot = m_slots[hash(text, size) % SlotCount];
        if (slot.size != size || std::memcmp(slot.bytes, text, size_t(size)) != 0) {
            slot.string = QString::fromLatin1(text, size);
            slot.size = size;
            std::memcpy(slot.bytes, text, size_t(size));
        }
        return slot.string;
    }

private:
    static constexpr size_t SlotCount = 256;
    struct Slot
    {
        qsizetype size = -1;
        char bytes[MaxSize];
        QString string;
    };
    static size_t hash(const char *text, qsizetype size)
    {
        size_t h = 2166136261u; // FNV-1a
        for (qsizetype i = 0; i < size; ++i)
            h = (h ^ quint8(text[i])) * 16777619u;
        return h;
    }
    Slot m_slots[SlotCount];
};

// A strict RFC 8259 parser producing QVariant directly, with JSON.parse's results: integral
// numbers become qint64 (-0 stays a double), overflow becomes an infinity.
class Parser
{
public:
    explicit Parser(QByteArrayView text)
        : p(text.data())
        , end(text.data() + text.size())
    {}

    bool parseDocument(QVariant *value)
    {
        skipSpace();
        if (!parseValue(value, 0))
            return false;
        skipSpace();
        return p == end;
    }

private:
    void skipSpace()
    {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            ++p;
    }
    bool literal(const char *word, qsizetype size)
    {
        if (end - p < size || std::memcmp(p, word, size) != 0)
            return false;
        p += size;
        return true;
    }
    bool parseValue(QVariant *value, int depth, bool intern = false)
    {
        if (p >= end || depth > 512)
            return false;
        switch (*p) {
        case '{':
            return parseObject(value, depth);
        case '[':
            return parseArray(value, depth);
        case '"': {
            QString s;
            if (!parseString(&s, intern))
                return false;
            *value = std::move(s);
            return true;
        }
        case 't':
            *value = true;
            return literal("true", 4);
        case 'f':
            *value = false;
            return literal("false", 5);
        case 'n':
            *value = QVariant::fromValue(nullptr);
            return literal("null", 4);
        default:
            return parseNumber(value);
        }
    }
    bool parseNumber(QVariant *value)
    {
        const char *start = p;
        if (p < end && *p == '-')
            ++p;
        if (p >= end)
            return false;
        if (*p == '0') {
            ++p;
        } else if (*p >= '1' && *p <= '9') {
            while (p < end && *p >= '0' && *p <= '9')
                ++p;
        } else {
            return false;
        }
        bool integral = true;
        if (p < end && *p == '.') {
            integral = false;
            ++p;
            if (p >= end || *p < '0' || *p > '9')
                return false;
            while (p < end && *p >= '0' && *p <= '9')
                ++p;
        }
        if (p < end && (*p == 'e' || *p == 'E')) {
            integral = false;
            ++p;
            if (p < end && (*p == '+' || *p == '-'))
                ++p;
            if (p >= end || *p < '0' || *p > '9')
                return false;
            while (p < end && *p >= '0' && *p <= '9')
                ++p;
        }
        if (integral && p - start <= 16 &&
            !(p - start == 2 && start[0] == '-' && start[1] == '0')) {
            qint64 v = 0;
            std::from_chars(start, p, v);
            // Past 2^53 JavaScript has no exact integer: fall through to a double.
            if (v >= -TwoTo53 && v <= TwoTo53) {
                *value = v;
                return true;
            }
        }
        double d = 0;
        const auto result = std::from_chars(start, p, d);
        if (result.ec == std::errc::result_out_of_range) {
            // JSON.parse gives an infinity for a number too large, zero for one too small.
            const char *e = std::find_if(start, p, [](char c) { return c == 'e' || c == 'E'; });
            const bool tiny = e < p && e[1] == '-';
            d = tiny ? 0.0 : std::numeric_limits<double>::infinity();
            if (*start == '-')
                d = -d;
        }
        if (isSafeInteger(d) && !(d == 0 && std::signbit(d))) // -0 stays a double
            *value = qint64(d);
        else
            *value = d;
        return true;
    }
    // With `intern`, a short ASCII string is taken from (or put in) the thread's cache.
    bool parseString(QString *out, bool intern = false)
    {
        ++p; // the opening quote
        const char *run = p;
        // Fast path: no escapes.
        bool ascii = true;
        while (p < end && *p != '"' && *p != '\\' && quint8(*p) >= 0x20) {
            ascii = ascii && quint8(*p) < 0x80;
            ++p;
        }
        if (p < end && *p == '"') {
            if (intern && ascii && p - run <= Interned::MaxSize) {
                if (!interned)
                    interned = &Interned::local();
                *out = interned->get(run, p - run);
            } else {
                *out = QString::fromUtf8(run, p - run);
            }
            ++p;
            return true;
        }
        QString text = QString::fromUtf8(run, p - run);
        const char *segment = p; // undecoded UTF-8 since the last escape
        while (p < end) {
            const char c = *p;
            if (c == '"' || c == '\\') {
                text += QString::fromUtf8(segment, p - segment);
                ++p;
                if (c == '"') {
                    *out = std::move(text);
                    return true;
                }
                if (p >= end)
                    return false;
                const char e = *p++;
                switch (e) {
                case '"':
                    text += u'"';
                    break;
                case '\\':
                    text += u'\\';
                    break;
                case '/':
                    text += u'/';
                    break;
                case 'b':
                    text += u'\b';
                    break;
                case 'f':
                    text += u'\f';
                    break;
                case 'n':
                    text += u'\n';
                    break;
                case 'r':
                    text += u'\r';
                    break;
                case 't':
                    text += u'\t';
                    break;
                case 'u': {
                    char16_t unit;
                    if (!readUnit(&unit))
                        return false;
                    text += QChar(unit); // lone surrogates are kept, as in JavaScript
                    break;
                }
                default:
                    return false;
                }
                segment = p;
                continue;
            }
            if (quint8(c) < 0x20)
                return false;
            ++p;
        }
        return false;
    }
    bool readUnit(char16_t *unit)
    {
        if (end - p < 4)
            return false;
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            const int h = hexValue(p[i]);
            if (h < 0)
                return false;
            v = v * 16 + h;
        }
        p += 4;
        *unit = char16_t(v);
        return true;
    }
    // "[a,b]" or "{"k":v}" from the opening bracket at p: `element` reads one member, after
    // which comes a comma or `close`.
    template<typename Element> bool parseMembers(char close, Element element)
    {
        ++p;
        skipSpace();
        if (p < end && *p == close) {
            ++p;
            return true;
        }
        while (true) {
            skipSpace();
            if (!element())
                return false;
            skipSpace();
            if (p >= end)
                return false;
            if (*p == ',') {
                ++p;
                continue;
            }
            if (*p != close)
                return false;
            ++p;
            return true;
        }
    }
    bool parseArray(QVariant *value, int depth)
    {
        QVariantList list;
        const bool ok = parseMembers(']', [&] {
            QVariant item;
            // The first member of a top-level array is a Socket.IO event name.
            if (!parseValue(&item, depth + 1, depth == 0 && list.isEmpty()))
                return false;
            if (list.isEmpty())
                list.reserve(4); // an event and its arguments without growing twice
            list.append(std::move(item));
            return true;
        });
        if (ok)
            *value = std::move(list);
        return ok;
    }
    bool parseObject(QVariant *value, int depth)
    {
        QVariantMap map;
        const bool ok = parseMembers('}', [&] {
            if (p >= end || *p != '"')
                return false;
            QString key;
            if (!parseString(&key, true))
                return false;
            skipSpace();
            if (p >= end || *p != ':')
                return false;
            ++p;
            skipSpace();
            QVariant item;
            if (!parseValue(&item, depth + 1))
                return false;
            map.insert(key, std::move(item)); // a repeated key keeps the last value
            return true;
        });
        if (ok)
            *value = std::move(map);
        return ok;
    }

    const char *p;
    const char *end;
    Interned *interned = nullptr; // looked up at the first string to intern
};
} // namespace

bool parse(QByteArrayView text, QVariant *value)
{
    return Parser(text).parseDocument(value);
}

bool resolvePlaceholders(QVariant &value, const QList<QByteArray> &attachments)
{
    switch (value.typeId()) {
    case QMetaType::QVariantList: {
        QVariantList list = value.toList();
        for (QVariant &item : list) {
            if (!resolvePlaceholders(item, attachments))
                return false;
        }
        value = list;
        return true;
    }
    case QMetaType::QVariantMap: {
        QVariantMap map = value.toMap();
        const auto placeholder = map.constFind(QStringLiteral("_placeholder"));
        if (placeholder != map.cend() && placeholder->typeId() == QMetaType::Bool &&
            placeholder->toBool()) {
            const QVariant num = map.value(QStringLiteral("num"));
            const bool isNumber = num.typeId() == QMetaType::LongLong;
            const qint64 index = num.toLongLong();
            if (!isNumber || index < 0 || index >= attachments.size())
                return false;
            value = attachments.at(index);
            return true;
        }
        for (QVariant &item : map) {
            if (!resolvePlaceholders(item, attachments))
                return false;
        }
        value = map;
        return true;
    }
    default:
        return true;
    }
}

} // namespace SocketIO::Json
