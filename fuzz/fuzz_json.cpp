// The JSON parser and writer of the default Socket.IO parser (parser/json_p.h), with the binary
// placeholders it resolves.
//
// Properties checked: what parses, written again, parses to the same value (with JavaScript's
// rules: an overflowing number was an infinity and is written null), and the writing is then
// stable; placeholders resolved from attachments, written with attachments and resolved again,
// give the same value back.
#include "parser/json_p.h"

#include "fuzzcheck.h"

using namespace SocketIO;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    QVariant value;
    if (!Json::parse(input, &value))
        return 0;

    const QByteArray text = Json::stringify(value);
    QVariant back;
    FUZZ_CHECK(Json::parse(text, &back));
    FUZZ_CHECK(Fuzz::sameValue(value, back, true));
    FUZZ_CHECK(Json::stringify(back) == text);

    // Appending to a buffer that holds something already writes the same text after it.
    QByteArray appended = QByteArrayLiteral("451-");
    Json::write(value, appended);
    FUZZ_CHECK(appended == "451-" + text);

    const QList<QByteArray> attachments = {QByteArrayLiteral("\x01"), QByteArray(),
                                           QByteArrayLiteral("\xff\x00\x10")};
    QVariant resolved = value;
    if (!Json::resolvePlaceholders(resolved, attachments))
        return 0;
    QByteArray withPlaceholders;
    QList<QByteArray> written;
    Json::write(resolved, withPlaceholders, &written);
    QVariant reparsed;
    FUZZ_CHECK(Json::parse(withPlaceholders, &reparsed));
    FUZZ_CHECK(Json::resolvePlaceholders(reparsed, written));
    FUZZ_CHECK(Fuzz::sameValue(resolved, reparsed, true));
    return 0;
}
