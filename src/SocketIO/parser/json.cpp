#include "parser/json_p.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QUrl>
#include <QtCore/QUuid>

#include <charconv>
#include <cmath>

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
    case QMetaType::Int:
    case QMetaType::Short:
    case QMetaType::Long:
    case QMetaType::LongLong:
    case QMetaType::SChar:
        writeInteger(value.toLongLong(), out);
        return;
    case QMetaType::UInt:
    case QMetaType::UShort:
    case QMetaType::ULong:
    case QMetaType::ULongLong:
    case QMetaType::UChar: {
        const qulonglong u = value.toULongLong();
        if (u <= qulonglong(std::numeric_limits<qint64>::max()))
            writeInteger(qint64(u), out);
        else
            writeNumber(double(u), out);
        return;
    }
    case QMetaType::Double:
    case QMetaType::Float:
        writeNumber(value.toDouble(), out);
        return;
    case QMetaType::QString:
        writeString(*static_cast<const QString *>(value.constData()), out);
        return;
    case QMetaType::QChar:
    case QMetaType::QUrl:
    case QMetaType::QUuid:
        writeString(value.toString(), out);
        return;
    case QMetaType::QDateTime:
        // Date.prototype.toJSON: ISO 8601 in UTC with milliseconds.
        writeString(value.toDateTime().toUTC().toString(Qt::ISODateWithMs), out);
        return;
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
    if (value == std::trunc(value) && std::abs(value) < 1e21) {
        // Exact integers below 1e21 print without exponent or fraction.
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

bool parse(QByteArrayView text, QVariant *value)
{
    const QByteArrayView trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return false;
    QJsonParseError error;
    if (trimmed.front() == '{' || trimmed.front() == '[') {
        const QJsonDocument document = QJsonDocument::fromJson(trimmed.toByteArray(), &error);
        if (error.error != QJsonParseError::NoError)
            return false;
        *value = document.isArray() ? fromJson(document.array()) : fromJson(document.object());
        return true;
    }
    // A scalar: parse it as the only element of an array.
    const QJsonDocument document =
        QJsonDocument::fromJson('[' + trimmed.toByteArray() + ']', &error);
    if (error.error != QJsonParseError::NoError || document.array().size() != 1)
        return false;
    *value = fromJson(document.array().at(0));
    return true;
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
