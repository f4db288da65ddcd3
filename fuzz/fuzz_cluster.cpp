// What the sharded and streams Redis adapters read from Redis, written there by the other
// members of the cluster: Pub/Sub payloads (JSON when they start with '{', MessagePack
// otherwise), stream entries, stored sessions. Each goes through the adapter's own decoding
// (adapters/redisshardedadapter.cpp, adapters/redisstreamsadapter.cpp) into the cluster
// protocol (adapters/clusteradapter.cpp: broadcasts, joins and leaves, fetches, server-side
// emits, responses to requests that do not exist) of namespace "/" of a real Server.
//
// The first byte chooses how the rest is used (& 3):
//   0  a payload on the sharded adapter's channel (an "smessage" push to its subscriber)
//   1  a payload on the streams adapter's request channel (a "message" push)
//   2  a stream entry: the rest split at NUL bytes into the entry id, then field, value, ...
//      handed to the streams adapter, and read as a session restore reads what it missed
//   3  a stored session (base64 of MessagePack {sid, pid, rooms, data})
//
// Properties checked: nothing crashes or leaks; a missed packet ends with its entry id; a
// session read back, stored again as persistSession() stores it, reads back the same.
#include "adapters/redisshardedadapter_p.h"
#include "adapters/redisstreamsadapter_p.h"
#include "parser/msgpack_p.h"
#include "redis/redisstreams_p.h"

#include "fuzzredis.h"

using namespace SocketIO;

namespace {

struct Cluster
{
    Fuzz::RedisMember sharded;
    Fuzz::RedisMember streams;
    RedisStreamsAdapter *streamsAdapter = nullptr;
};

Cluster &cluster()
{
    static Cluster *c = [] {
        auto *out = new Cluster;
        Fuzz::joinCluster(out->sharded, [](RedisCluster &r) { return r.shardedAdapterFactory(); });
        Fuzz::joinCluster(out->streams, [](RedisCluster &r) { return r.streamsAdapterFactory(); });
        FUZZ_CHECK(qobject_cast<RedisShardedAdapter *>(out->sharded.server->sockets()->adapter()));
        out->streamsAdapter =
            qobject_cast<RedisStreamsAdapter *>(out->streams.server->sockets()->adapter());
        FUZZ_CHECK(out->streamsAdapter);
        return out;
    }();
    return *c;
}

Redis::StreamEntry streamEntry(const QByteArray &input)
{
    const QList<QByteArray> parts = input.split('\0');
    Redis::StreamEntry entry;
    entry.id = parts.value(0);
    for (qsizetype i = 1; i + 1 < parts.size(); i += 2)
        entry.fields.append({parts.at(i), parts.at(i + 1)});
    return entry;
}

void checkSession(const QByteArray &raw)
{
    const std::optional<Session> session = storedSession(raw);
    if (!session)
        return;
    FUZZ_CHECK(!session->sid().isEmpty());
    // As persistSession() stores it.
    const QSet<QString> rooms = session->rooms();
    const QVariantMap value{{QStringLiteral("sid"), session->sid()},
                            {QStringLiteral("pid"), session->pid()},
                            {QStringLiteral("rooms"), QStringList(rooms.cbegin(), rooms.cend())},
                            {QStringLiteral("data"), session->data()}};
    const std::optional<Session> again = storedSession(MsgPack::encode(value).toBase64());
    FUZZ_CHECK(again);
    FUZZ_CHECK(again->sid() == session->sid());
    FUZZ_CHECK(again->pid() == session->pid());
    FUZZ_CHECK(again->rooms() == rooms);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    Fuzz::startApplication(argc, argv);
    cluster();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray input(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    Cluster &c = cluster();
    switch (data[0] & 3) {
    case 0:
        c.sharded.subscriber->receiveForTesting(
            Redis::formatCommand({"smessage", "socket.io#/#", input}));
        break;
    case 1:
        c.streams.subscriber->receiveForTesting(
            Redis::formatCommand({"message", "socket.io#/#", input}));
        break;
    case 2: {
        const Redis::StreamEntry entry = streamEntry(input);
        c.streamsAdapter->onStreamEntry(entry);
        for (const QSet<QString> &rooms :
             {QSet<QString>{}, QSet<QString>{QStringLiteral("room1")}}) {
            const std::optional<QVariantList> packet =
                missedPacket(entry, QByteArrayLiteral("/"), rooms);
            // The entry id is the offset, last.
            FUZZ_CHECK(!packet || packet->constLast() == QString::fromLatin1(entry.id));
        }
        break;
    }
    default:
        checkSession(input);
        break;
    }
    // Timers the input started (request timeouts) and deferred deletions.
    QCoreApplication::processEvents();
    return 0;
}
