// socketio-bench-msgpack: our MessagePack codec (parser/msgpack_p.h) against msgpack-cxx on
// the messages the Redis adapters exchange. Not a test: it prints CPU ns per operation and
// never fails on a time (it fails only when the two sides disagree on bytes or on what they
// decode).
//
// Both sides start from and end at what the adapters hold, so the comparison is fair:
// - encode: the message as a QVariant (what RedisAdapter and clusterEnvelope() build) to the
//   QByteArray that is published. msgpack-cxx packs through a QVariant walk with its packer
//   writing into the QByteArray, with notepack's number rule (whole doubles as integers).
// - decode: the published bytes to the adapter's types (Packet + BroadcastOptions, or a
//   ClusterMessage with its SocketDetails), through a QVariant on both sides: ours with
//   MsgPack::decode, msgpack-cxx with msgpack::unpack into an object_handle (strings and bins
//   referencing the input) and a walk of the object tree into the same QVariants.
// - unpack only: msgpack::unpack alone, a floor for msgpack-cxx that the adapter cannot use as
//   is (it hands QVariants to the application).
#include "adapters/clusteradapter_p.h"
#include "core/variant_p.h"
#include "parser/msgpack_p.h"
#include "parser/number_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QStringList>

#include <msgpack.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <vector>

using namespace SocketIO;

namespace {

// msgpack-cxx's packer writing straight into the QByteArray to publish.
struct ByteArrayStream
{
    QByteArray *out;
    void write(const char *data, size_t size) { out->append(data, qsizetype(size)); }
};
using Packer = msgpack::packer<ByteArrayStream>;

void packString(Packer &packer, const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    packer.pack_str(uint32_t(utf8.size()));
    packer.pack_str_body(utf8.constData(), uint32_t(utf8.size()));
}

void packVariant(Packer &packer, const QVariant &value)
{
    if (visitNumber(
            value, [&packer](qint64 v) { packer.pack_int64(v); },
            [&packer](double v) {
                if (isSafeInteger(v))
                    packer.pack_int64(qint64(v));
                else
                    packer.pack_double(v);
            }))
        return;
    switch (value.typeId()) {
    case QMetaType::UnknownType:
    case QMetaType::Nullptr:
        packer.pack_nil();
        return;
    case QMetaType::Bool:
        value.toBool() ? packer.pack_true() : packer.pack_false();
        return;
    case QMetaType::QByteArray: {
        const auto &b = *static_cast<const QByteArray *>(value.constData());
        packer.pack_bin(uint32_t(b.size()));
        packer.pack_bin_body(b.constData(), uint32_t(b.size()));
        return;
    }
    case QMetaType::QVariantList:
    case QMetaType::QStringList: {
        const QVariantList list = value.toList();
        packer.pack_array(uint32_t(list.size()));
        for (const QVariant &item : list)
            packVariant(packer, item);
        return;
    }
    case QMetaType::QVariantMap: {
        const auto &map = *static_cast<const QVariantMap *>(value.constData());
        uint32_t count = 0;
        for (const QVariant &item : map)
            count += item.isValid() ? 1 : 0;
        packer.pack_map(count);
        for (auto it = map.cbegin(); it != map.cend(); ++it) {
            if (!it.value().isValid())
                continue;
            packString(packer, it.key());
            packVariant(packer, it.value());
        }
        return;
    }
    case QMetaType::QString:
        packString(packer, *static_cast<const QString *>(value.constData()));
        return;
    default: // what converts to a string
        packString(packer, value.toString());
        return;
    }
}

QByteArray cxxEncode(const QVariant &value)
{
    QByteArray out;
    ByteArrayStream stream{&out};
    Packer packer(stream);
    packVariant(packer, value);
    return out;
}

// The object tree as MsgPack::decode gives it (no extension types: the messages have none).
QVariant toVariant(const msgpack::object &o)
{
    switch (o.type) {
    case msgpack::type::NIL:
        return QVariant::fromValue(nullptr);
    case msgpack::type::BOOLEAN:
        return o.via.boolean;
    case msgpack::type::POSITIVE_INTEGER:
        return o.via.u64 <= quint64(std::numeric_limits<qint64>::max())
                   ? QVariant(qint64(o.via.u64))
                   : QVariant(double(o.via.u64));
    case msgpack::type::NEGATIVE_INTEGER:
        return qint64(o.via.i64);
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
        return o.via.f64;
    case msgpack::type::STR:
        return QString::fromUtf8(o.via.str.ptr, qsizetype(o.via.str.size));
    case msgpack::type::BIN:
        return QByteArray(o.via.bin.ptr, qsizetype(o.via.bin.size));
    case msgpack::type::ARRAY: {
        QVariantList list;
        list.reserve(qsizetype(o.via.array.size));
        for (uint32_t i = 0; i < o.via.array.size; ++i)
            list.append(toVariant(o.via.array.ptr[i]));
        return list;
    }
    case msgpack::type::MAP: {
        QVariantMap map;
        for (uint32_t i = 0; i < o.via.map.size; ++i) {
            const msgpack::object_kv &kv = o.via.map.ptr[i];
            map.insert(toVariant(kv.key).toString(), toVariant(kv.val));
        }
        return map;
    }
    default:
        return {};
    }
}

// Strings and binaries point into the input instead of being copied into the object's zone:
// msgpack-cxx's fastest way, right here since the input outlives the walk to QVariants.
bool referenceInput(msgpack::type::object_type, std::size_t, void *)
{
    return true;
}

bool cxxDecode(QByteArrayView data, QVariant *value)
{
    try { // msgpack-cxx throws on bad input; the adapters take no exceptions
        const msgpack::object_handle handle =
            msgpack::unpack(data.data(), size_t(data.size()), referenceInput);
        *value = toVariant(handle.get());
        return true;
    } catch (const std::exception &) {
        return false;
    }
}

// What RedisAdapter::onBroadcastMessage() makes of [uid, packet, opts].
struct Broadcast
{
    QString uid;
    Packet packet;
    BroadcastOptions options;
};

Broadcast broadcastFrom(const QVariant &decoded)
{
    const QVariantList parts = decoded.toList();
    Broadcast b;
    b.uid = parts.value(0).toString();
    const QVariantMap packet = parts.value(1).toMap();
    b.packet.type = Packet::Type::Event;
    b.packet.nsp = packet.value(QStringLiteral("nsp"), QStringLiteral("/")).toString();
    b.packet.data = packet.value(QStringLiteral("data")).toList();
    b.options = broadcastOptionsFrom(parts.value(2));
    BroadcastFlags flags = b.options.flags();
    flags.setLocal(true);
    b.options.setFlags(flags);
    return b;
}

// RedisAdapter::broadcast()'s message: [uid, {type: 2, data, nsp}, {rooms, except, flags}].
QVariant broadcastMessage(const QVariantList &data)
{
    BroadcastFlags flags;
    flags.setCompressed(true);
    return QVariantList{QStringLiteral("Xk3_9a"),
                        QVariantMap{{QStringLiteral("type"), 2},
                                    {QStringLiteral("data"), data},
                                    {QStringLiteral("nsp"), QStringLiteral("/")}},
                        QVariantMap{{QStringLiteral("rooms"), QStringList{QStringLiteral("room")}},
                                    {QStringLiteral("except"), QStringList()},
                                    {QStringLiteral("flags"), broadcastFlagsData(flags)}}};
}

SocketDetails someSocket(int i)
{
    SocketDetails s;
    s.setId(QStringLiteral("sFq2uXvR0bDq8lU7AAA%1").arg(i));
    s.setHandshake(
        {{QStringLiteral("headers"),
          QVariantMap{{QStringLiteral("host"), QStringLiteral("127.0.0.1:3000")},
                      {QStringLiteral("user-agent"), QStringLiteral("node")},
                      {QStringLiteral("accept"), QStringLiteral("*/*")},
                      {QStringLiteral("connection"), QStringLiteral("Upgrade")}}},
         {QStringLiteral("time"), QStringLiteral("Sat Dec 05 2026 12:00:00 GMT+0000")},
         {QStringLiteral("address"), QStringLiteral("::ffff:127.0.0.1")},
         {QStringLiteral("xdomain"), false},
         {QStringLiteral("secure"), false},
         {QStringLiteral("issued"), 1796472000000.0},
         {QStringLiteral("url"), QStringLiteral("/socket.io/?EIO=4&transport=websocket")},
         {QStringLiteral("query"),
          QVariantMap{{QStringLiteral("EIO"), QStringLiteral("4")},
                      {QStringLiteral("transport"), QStringLiteral("websocket")}}},
         {QStringLiteral("auth"), QVariantMap{{QStringLiteral("token"), QStringLiteral("abc")}}}});
    s.setRooms({s.id(), QStringLiteral("room"), QStringLiteral("team-%1").arg(i % 3)});
    s.setData({{QStringLiteral("user"), QStringLiteral("user%1").arg(i)},
               {QStringLiteral("score"), i * 10}});
    return s;
}

// The envelope the sharded and streams adapters send: fetchSockets() and its answer.
QVariant fetchSocketsMessage(int sockets)
{
    ClusterMessage m;
    m.uid = QStringLiteral("5f0e3a9c1d2b4e6f");
    m.nsp = QStringLiteral("/");
    m.requestId = QStringLiteral("9c1d2b4e6f5f0e3a");
    if (sockets == 0) {
        m.type = ClusterMessage::Type::FetchSockets;
        m.options.setRooms({QStringLiteral("room")});
    } else {
        m.type = ClusterMessage::Type::FetchSocketsResponse;
        for (int i = 0; i < sockets; ++i)
            m.sockets.append(someSocket(i));
    }
    return clusterEnvelope(m);
}

struct Kind
{
    const char *name;
    QVariant message;
    bool cluster; // an envelope of the cluster protocol, else a classic broadcast
};

// The adapter's types from the decoded QVariant, as the adapter makes them (timed).
qint64 adapterTypes(const Kind &kind, const QVariant &decoded)
{
    if (!kind.cluster)
        return broadcastFrom(decoded).packet.data.toList().size();
    const std::optional<ClusterMessage> m = clusterMessageFromEnvelope(decoded);
    return m ? m->sockets.size() + 1 : 0;
}

// The same, as one value that both sides must agree on (not timed).
QVariant comparable(const Kind &kind, const QVariant &decoded)
{
    if (!kind.cluster) {
        const Broadcast b = broadcastFrom(decoded);
        return QVariantList{b.uid, b.packet.nsp, b.packet.data, sortedStrings(b.options.rooms()),
                            b.options.flags().isCompressed()};
    }
    const std::optional<ClusterMessage> m = clusterMessageFromEnvelope(decoded);
    if (!m)
        return {};
    QVariantList sockets;
    for (const SocketDetails &s : m->sockets)
        sockets.append(socketDetailsData(s));
    return QVariantList{int(m->type), m->requestId, sortedStrings(m->options.rooms()), sockets};
}

// The five timed operations, each a function of its own (never inlined) so that callgrind's
// --toggle-collect can count the instructions of one (bench/README.md, "MessagePack").
Q_NEVER_INLINE qint64 encodeOurs(const Kind &kind)
{
    return MsgPack::encode(kind.message).size();
}

Q_NEVER_INLINE qint64 encodeCxx(const Kind &kind)
{
    return cxxEncode(kind.message).size();
}

Q_NEVER_INLINE qint64 decodeOurs(const Kind &kind, const QByteArray &bytes)
{
    QVariant v;
    MsgPack::decode(bytes, &v, nullptr);
    return adapterTypes(kind, v);
}

Q_NEVER_INLINE qint64 decodeCxx(const Kind &kind, const QByteArray &bytes)
{
    QVariant v;
    cxxDecode(bytes, &v);
    return adapterTypes(kind, v);
}

Q_NEVER_INLINE qint64 unpackOnly(const QByteArray &bytes)
{
    const msgpack::object_handle h =
        msgpack::unpack(bytes.constData(), size_t(bytes.size()), referenceInput);
    return qint64(h.get().type);
}

volatile qint64 sink;

double threadCpuNs()
{
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e9 + double(t.tv_nsec);
}

// CPU ns of this thread per call of `op`, median (min-max) of `repeats` rounds of
// `iterations` calls, after iterations / 10 + 1 calls of warm-up. CPU time rather than wall
// time: the machine is shared, and time spent preempted is not the codec's.
struct Timing
{
    double min, median, max;
};

Timing measure(int iterations, int repeats, const std::function<qint64()> &op)
{
    for (int i = 0; i < iterations / 10 + 1; ++i)
        sink = sink + op();
    std::vector<double> ns;
    for (int r = 0; r < repeats; ++r) {
        const double start = threadCpuNs();
        qint64 acc = 0;
        for (int i = 0; i < iterations; ++i)
            acc += op();
        ns.push_back((threadCpuNs() - start) / iterations);
        sink = sink + acc;
    }
    std::sort(ns.begin(), ns.end());
    return {ns.front(), ns[ns.size() / 2], ns.back()};
}

QByteArray cell(const Timing &t)
{
    return QByteArray::number(t.median, 'f', 0) + " (" + QByteArray::number(t.min, 'f', 0) + '-' +
           QByteArray::number(t.max, 'f', 0) + ')';
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    auto option = [&args](const QString &name, int fallback) {
        const qsizetype i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.at(i + 1).toInt() : fallback;
    };
    if (args.contains(QStringLiteral("--help"))) {
        std::printf("usage: socketio-bench-msgpack [--iterations N] [--repeats R] [--only K]\n"
                    "Our MessagePack codec against msgpack-cxx %s on the Redis adapters' "
                    "messages; CPU ns per operation, median (min-max) of R rounds of N calls;\n"
                    "--only K: the K-th message kind only (1-4).\n",
                    msgpack_version());
        return 0;
    }
    const int iterations = qMax(1, option(QStringLiteral("--iterations"), 20000));
    const int repeats = qMax(1, option(QStringLiteral("--repeats"), 5));
    const int only = option(QStringLiteral("--only"), 0);

    const QVariantMap payload{{QStringLiteral("text"), QStringLiteral("hello world")},
                              {QStringLiteral("n"), 42},
                              {QStringLiteral("t"), 1796472000123.0}};
    QByteArray blob(4096, Qt::Uninitialized);
    for (qsizetype i = 0; i < blob.size(); ++i)
        blob[i] = char(i * 31);
    const std::vector<Kind> kinds{
        {"broadcast [uid,packet,opts]", broadcastMessage({QStringLiteral("news"), payload}), false},
        {"broadcast, 4 KiB binary arg",
         broadcastMessage({QStringLiteral("file"), blob,
                           QVariantMap{{QStringLiteral("name"), QStringLiteral("a.bin")}}}),
         false},
        {"cluster fetchSockets request", fetchSocketsMessage(0), true},
        {"cluster fetchSockets response, 3 sockets", fetchSocketsMessage(3), true},
    };

    std::printf(
        "MessagePack: ours (parser/msgpack_p.h) against msgpack-cxx %s, %d rounds of %d "
        "calls, CPU ns per call: median (min-max); ratio = msgpack-cxx / ours (>1: ours is "
        "faster).\n"
        "encode: QVariant message -> published QByteArray (msgpack-cxx: its packer "
        "walking the QVariant).\n"
        "decode: bytes -> QVariant -> the adapter's types (msgpack-cxx: unpack into an "
        "object_handle, strings and binaries referencing the input, then the object tree -> the "
        "same QVariants).\n"
        "unpack only: msgpack::unpack to an object_handle, no conversion (not usable by "
        "the adapter as is).\n\n",
        msgpack_version(), repeats, iterations);
    std::printf("| message | bytes | encode ours | encode msgpack-cxx | ratio | decode ours | "
                "decode msgpack-cxx | ratio | msgpack-cxx unpack only |\n"
                "|---|---|---|---|---|---|---|---|---|\n");
    int status = 0;
    for (const Kind &kind : kinds) {
        if (only > 0 && &kind != &kinds[size_t(only - 1)])
            continue;
        const QByteArray ours = MsgPack::encode(kind.message);
        const QByteArray theirs = cxxEncode(kind.message);
        QVariant a, b;
        QString error;
        if (ours != theirs || !MsgPack::decode(ours, &a, &error) || !cxxDecode(ours, &b) ||
            !comparable(kind, a).isValid() || comparable(kind, a) != comparable(kind, b)) {
            std::fprintf(stderr, "%s: the two sides disagree (bytes %s)\n", kind.name,
                         ours == theirs ? "identical" : "differ");
            status = 1;
            continue;
        }
        const Timing encOurs = measure(iterations, repeats, [&] { return encodeOurs(kind); });
        const Timing encTheirs = measure(iterations, repeats, [&] { return encodeCxx(kind); });
        const Timing decOurs = measure(iterations, repeats, [&] { return decodeOurs(kind, ours); });
        const Timing decTheirs =
            measure(iterations, repeats, [&] { return decodeCxx(kind, ours); });
        const Timing unpacked = measure(iterations, repeats, [&] { return unpackOnly(ours); });
        std::printf("| %s | %lld | %s | %s | %.2fx | %s | %s | %.2fx | %s |\n", kind.name,
                    qint64(ours.size()), cell(encOurs).constData(), cell(encTheirs).constData(),
                    encTheirs.median / encOurs.median, cell(decOurs).constData(),
                    cell(decTheirs).constData(), decTheirs.median / decOurs.median,
                    cell(unpacked).constData());
        std::fflush(stdout);
    }
    return status;
}
