#include "parser/json_p.h"

#include "variant_p.h"

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

void writeString(QStringView s, QByteArray &out)
{
    static const char hex[] = "0123456789abcdef";
    out.append('"');
    const char16_t *p = s.utf16();
    const char16_t *end = p + s.size();
    while (p < end) {
        // Copy a run of plain ASCII at once.
        const char16_t *run = p;
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != u'"' && *p != u'\\')
            ++p;
        if (p > run) {
            const qsizetype n = p - run;
            const qsizetype at = out.size();
            out.resize(at + n);
            char *dst = out.data() + at;
            for (qsizetype i = 0; i < n; ++i)
                dst[i] = char(run[i]);
        }
        if (p >= end)
            break;
        const char16_t c = *p;
        if (c == u'"') {
            out.append("\\\"", 2);
        } else if (c == u'\\') {
            out.append("\\\\", 2);
        } else if (c < 0x20) {
            switch (c) {
            case u'\b':
                out.append("\\b", 2);
                break;
            case u'\f':
                out.append("\\f", 2);
                break;
            case u'\n':
                out.append("\\n", 2);
                break;
            case u'\r':
                out.append("\\r", 2);
                break;
            case u'\t':
                out.append("\\t", 2);
                break;
            default: {
                const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                out.append(esc, 6);
            }
            }
        } else if (QChar::isHighSurrogate(c) && p + 1 < end && QChar::isLowSurrogate(p[1])) {
            out.append(QStringView(p, 2).toUtf8());
            ++p;
        } else if (QChar::isSurrogate(c)) {
            // A lone surrogate: JSON.stringify escapes it (well-formed stringify).
            const char esc[] = {
                '\\', 'u', hex[c >> 12], hex[(c >> 8) & 15], hex[(c >> 4) & 15], hex[c & 15]};
            out.append(esc, 6);
        } else {
            out.append(QStringView(p, 1).toUtf8());
        }
        ++p;
    }
    out.append('"');
}

void writeInteger(qint64 v, QByteArray &out)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, result.ptr - buffer);
}

void writeValue(const QVariant &value, QByteArray &out, QList<QByteArray> *attachments);

void writeList(const QVariantList &list, QByteArray &out, QList<QByteArray> *attachments)
{
    out.append('[');
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (i)
            out.append(',');
        writeValue(list.at(i), out, attachments);
    }
    out.append(']');
}

template<typename Map>
void writeMap(const Map &map, QByteArray &out, QList<QByteArray> *attachments)
{
    out.append('{');
    bool first = true;
    for (auto it = map.cbegin(); it != map.cend(); ++it) {
        if (!first)
            out.append(',');
        first = false;
        writeString(it.key(), out);
        out.append(':');
        writeValue(it.value(), out, attachments);
    }
    out.append('}');
}

void writeValue(const QVariant &value, QByteArray &out, QList<QByteArray> *attachments)
{
    if (visitNumber(
            value, [&out](qint64 v) { writeInteger(v, out); },
            [&out](double v) { writeNumber(v, out); }))
        return;
    switch (value.typeId()) {
    case QMetaType::UnknownType:
    case QMetaType::Nullptr:
    case QMetaType::Void:
        out.append("null", 4);
        return;
    case QMetaType::Bool:
        if (value.toBool())
            out.append("true", 4);
        else
            out.append("false", 5);
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
            out.append("null", 4);
        return;
    }
    case QMetaType::QByteArray:
        if (!attachments) {
            out.append("null", 4);
            return;
        }
        out.append("{\"_placeholder\":true,\"num\":");
        writeInteger(attachments->size(), out);
        out.append('}');
        attachments->append(*static_cast<const QByteArray *>(value.constData()));
        return;
    case QMetaType::QVariantList:
        writeList(*static_cast<const QVariantList *>(value.constData()), out, attachments);
        return;
    case QMetaType::QStringList: {
        const QStringList &list = *static_cast<const QStringList *>(value.constData());
        out.append('[');
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (i)
                out.append(',');
            writeString(list.at(i), out);
        }
        out.append(']');
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
            out.append("null", 4);
        }
        return;
    }
}

QVariant fromJson(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QVariant::fromValue(nullptr);
    case QJsonValue::Bool:
        return value.toBool();
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (std::abs(d) < 9007199254740992.0 && d == std::trunc(d) && !(d == 0 && std::signbit(d)))
            return qint64(d);
        return d;
    }
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        QVariantList list;
        list.reserve(array.size());
        for (const QJsonValue &item : array)
            list.append(fromJson(item));
        return list;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        QVariantMap map;
        for (auto it = object.begin(); it != object.end(); ++it)
            map.insert(it.key(), fromJson(it.value()));
        return map;
    }
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

} // namespace

void writeNumber(double value, QByteArray &out)
{
    if (!std::isfinite(value)) {
        out.append("null", 4);
        return;
    }
    if (value == 0) {
        out.append('0');
        return;
    }
    if (value == std::trunc(value) && std::abs(value) < 9007199254740992.0) {
        // Exact integers print without exponent or fraction.
        char buffer[32];
        const auto result =
            std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
        out.append(buffer, result.ptr - buffer);
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
    out.append(text.data(), qsizetype(text.size()));
}

void write(const QVariant &value, QByteArray &out, QList<QByteArray> *attachments)
{
    writeValue(value, out, attachments);
}

QByteArray stringify(const QVariant &value)
{
    QByteArray out;
    writeValue(value, out, nullptr);
    return out;
}

bool hasBinary(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::QByteArray:
        return true;
    case QMetaType::QVariantList:
        for (const QVariant &item : *static_cast<const QVariantList *>(value.constData())) {
            if (hasBinary(item))
                return true;
        }
        return false;
    case QMetaType::QVariantMap:
        for (const QVariant &item : *static_cast<const QVariantMap *>(value.constData())) {
            if (hasBinary(item))
                return true;
        }
        return false;
    case QMetaType::QVariantHash:
        for (const QVariant &item : *static_cast<const QVariantHash *>(value.constData())) {
            if (hasBinary(item))
                return true;
        }
        return false;
    default:
        return false;
    }
}

namespace {
// Recently seen short ASCII strings of this thread (object keys, event names), so that the
// same key in every message shares one QString instead of allocating and converting it
// again. Direct-mapped: a miss replaces the slot.
class Interned
{
public:
    static constexpr qsizetype MaxSize = 32;

    static QString get(const char *text, qsizetype size)
    {
        static thread_local Interned cache;
        Slot &slot = cache.m_slots[hash(text, size) % SlotCount];
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
            if (v >= -9007199254740992LL && v <= 9007199254740992LL) {
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
        if (d == std::trunc(d) && std::abs(d) < 9007199254740992.0 && !(d == 0 && std::signbit(d)))
            *value = qint64(d);
        else
            *value = d;
        return true;
    }
    static int hexValue(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
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
            if (intern && ascii && p - run <= Interned::MaxSize)
                *out = Interned::get(run, p - run);
            else
                *out = QString::fromUtf8(run, p - run);
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
