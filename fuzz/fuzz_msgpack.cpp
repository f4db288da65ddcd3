// The MessagePack decoder and encoder (parser/msgpack_p.h), notepack.io-compatible.
//
// Properties checked: what decodes encodes to bytes that decode again, and from then on the
// encoding is stable (a value's first encoding normalises it: undefined map entries dropped,
// float32 widened, extension types as [type, bytes], dates as timestamps).
#include "parser/msgpack_p.h"

#include "fuzzcheck.h"

using namespace SocketIO;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    QVariant value;
    QString error;
    if (!MsgPack::decode(input, &value, &error)) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    const QByteArray first = MsgPack::encode(value);
    QVariant back;
    FUZZ_CHECK(MsgPack::decode(first, &back, &error));
    const QByteArray second = MsgPack::encode(back);
    FUZZ_CHECK(second == first);
    QVariant again;
    FUZZ_CHECK(MsgPack::decode(second, &again, &error));
    FUZZ_CHECK(Fuzz::sameValue(back, again, false));
    return 0;
}
