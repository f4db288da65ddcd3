// What the library reads from Redis: RESP replies and pushes (hiredis's reader and our copy of
// its replies, redis/redisconnection_p.h), handed by the subscribing connection of a
// RedisCluster to the RedisAdapter of namespace "/" (its broadcast, request and response
// handling, adapters/redisadapter.cpp).
//
// The first byte chooses how the rest is used: raw RESP fed to the connection (0, and 5 to 7),
// or a message on one of the adapter's channels, wrapped in the push Redis would send: the
// namespace's broadcast channel (1, a pmessage), the request channel (2), the common response
// channel (3), this server's own response channel (4).
//
// Properties checked: the reader gives the same replies (or the same protocol error) whether
// the bytes come whole, cut in two where the input says, or byte by byte; nothing the adapter
// is sent crashes it or leaks. The raw replies also go through what cluster mode reads
// (redis/rediscluster_p.h): CLUSTER SLOTS replies and MOVED/ASK errors, whose results stay in
// range, and the key slot of the input.
#include "redis/rediscluster_p.h"

#include "fuzzredis.h"

using namespace SocketIO;

namespace {

bool same(const Redis::Reply &a, const Redis::Reply &b)
{
    if (a.type != b.type || a.string != b.string || a.integer != b.integer ||
        a.elements.size() != b.elements.size())
        return false;
    for (qsizetype i = 0; i < a.elements.size(); ++i) {
        if (!same(a.elements.at(i), b.elements.at(i)))
            return false;
    }
    return true;
}

struct Parsed
{
    QList<Redis::Reply> replies;
    bool error = false;
};

// Feeds `pieces` one after another, taking the replies out after each.
Parsed parse(const QList<QByteArrayView> &pieces)
{
    Redis::ReplyReader reader;
    Parsed out;
    for (QByteArrayView piece : pieces) {
        if (!reader.feed(piece)) {
            out.error = true;
            return out;
        }
        while (std::optional<Redis::Reply> reply = reader.next())
            out.replies.append(*reply);
        if (reader.hasError()) {
            out.error = true;
            return out;
        }
    }
    return out;
}

// A prefix of `b`'s replies: a reader that stopped at an error earlier (or later) on the same
// bytes still agrees on what came before.
void checkAgree(const Parsed &a, const Parsed &b)
{
    FUZZ_CHECK(a.error == b.error);
    FUZZ_CHECK(a.replies.size() == b.replies.size());
    for (qsizetype i = 0; i < a.replies.size(); ++i)
        FUZZ_CHECK(same(a.replies.at(i), b.replies.at(i)));
}

// What cluster mode makes of replies: slot ranges and redirections within 0..16383.
void checkCluster(QByteArrayView input, const Parsed &parsed)
{
    const int slot = Redis::keySlot(input);
    FUZZ_CHECK(slot >= 0 && slot < Redis::clusterSlotCount);
    for (const Redis::Reply &reply : parsed.replies) {
        for (const Redis::SlotRange &range : Redis::parseClusterSlots(reply)) {
            FUZZ_CHECK(range.first >= 0 && range.first <= range.last &&
                       range.last < Redis::clusterSlotCount && range.port > 0);
        }
        if (const auto redirect = Redis::parseRedirect(reply.string)) {
            FUZZ_CHECK(redirect->slot >= 0 && redirect->slot < Redis::clusterSlotCount &&
                       redirect->port > 0 && !redirect->host.isEmpty());
        }
    }
}

void checkReader(QByteArrayView input)
{
    const Parsed whole = parse({input});
    checkCluster(input, whole);
    if (input.size() > 1) {
        const qsizetype cut = qsizetype(quint8(input.at(0))) % input.size();
        checkAgree(whole, parse({input.first(cut), input.sliced(cut)}));
    }
    QList<QByteArrayView> bytes;
    bytes.reserve(input.size());
    for (qsizetype i = 0; i < input.size(); ++i)
        bytes.append(input.sliced(i, 1));
    checkAgree(whole, parse(bytes));
}

struct Cluster : Fuzz::RedisMember
{
    QByteArray uid;
};

Cluster &cluster()
{
    static Cluster *c = [] {
        auto *out = new Cluster;
        Fuzz::joinCluster(*out, [](RedisCluster &r) { return r.adapterFactory(); });
        auto *adapter = qobject_cast<RedisAdapter *>(out->server->sockets()->adapter());
        FUZZ_CHECK(adapter);
        out->uid = adapter->uid().toUtf8();
        return out;
    }();
    return *c;
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
    const QByteArrayView input(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    Cluster &c = cluster();
    const QByteArray payload = input.toByteArray();
    switch (data[0] & 7) {
    case 1:
        c.subscriber->receiveForTesting(
            Redis::formatCommand({"pmessage", "socket.io#/#*", "socket.io#/#", payload}));
        break;
    case 2:
        c.subscriber->receiveForTesting(
            Redis::formatCommand({"message", "socket.io-request#/#", payload}));
        break;
    case 3:
        c.subscriber->receiveForTesting(
            Redis::formatCommand({"message", "socket.io-response#/#", payload}));
        break;
    case 4:
        c.subscriber->receiveForTesting(
            Redis::formatCommand({"message", "socket.io-response#/#" + c.uid + '#', payload}));
        break;
    default:
        checkReader(input);
        c.subscriber->receiveForTesting(input);
        break;
    }
    // Timers the input started (request timeouts) and deferred deletions.
    QCoreApplication::processEvents();
    return 0;
}
