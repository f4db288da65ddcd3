// socketio-loadgen: a Socket.IO v5 / Engine.IO v4 load generator on plain Linux epoll.
//
// One thread, many non-blocking connections. Speaks just the client side of RFC 6455
// (masked frames, Sec-WebSocket-Accept check, fragments, ping/pong, close) and of
// Engine.IO/Socket.IO (open, ping "2" -> pong "3", CONNECT, EVENT/ACK, BINARY_EVENT/BINARY_ACK,
// and the polling handshake followed by an upgrade). Prints phase markers on stderr
// ("# phase measure", "# phase end", "# phase connected") and one JSON object on stdout at the
// end. Never fails on a time: it reports what it measured.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <string>
#include <vector>

namespace {

int64_t nowNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

double cpuSeconds()
{
    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

uint64_t g_rng = 0x9E3779B97F4A7C15ull ^ uint64_t(nowNs());
uint32_t random32()
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return uint32_t(g_rng >> 16);
}

// --- SHA-1 and base64, for Sec-WebSocket-Key/Accept -------------------------------------

uint32_t rol(uint32_t v, int n)
{
    return (v << n) | (v >> (32 - n));
}

std::string sha1(const std::string &input)
{
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    std::string m = input;
    const uint64_t bits = uint64_t(input.size()) * 8;
    m += char(0x80);
    while (m.size() % 64 != 56)
        m += char(0);
    for (int i = 7; i >= 0; --i)
        m += char(bits >> (i * 8));
    for (size_t off = 0; off < m.size(); off += 64) {
        uint32_t w[80];
        for (int i = 0; i < 16; ++i) {
            const auto *p = reinterpret_cast<const unsigned char *>(m.data() + off + 4 * i);
            w[i] = uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
        }
        for (int i = 16; i < 80; ++i)
            w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 80; ++i) {
            uint32_t f, k;
            if (i < 20) {
                f = (b & c) | (~b & d);
                k = 0x5A827999;
            } else if (i < 40) {
                f = b ^ c ^ d;
                k = 0x6ED9EBA1;
            } else if (i < 60) {
                f = (b & c) | (b & d) | (c & d);
                k = 0x8F1BBCDC;
            } else {
                f = b ^ c ^ d;
                k = 0xCA62C1D6;
            }
            const uint32_t t = rol(a, 5) + f + e + k + w[i];
            e = d;
            d = c;
            c = rol(b, 30);
            b = a;
            a = t;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
    std::string out;
    for (uint32_t v : h)
        for (int i = 3; i >= 0; --i)
            out += char(v >> (i * 8));
    return out;
}

std::string base64(const std::string &in)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const uint32_t v = uint8_t(in[i]) << 16 | uint8_t(in[i + 1]) << 8 | uint8_t(in[i + 2]);
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += tbl[v & 63];
    }
    if (i + 1 == in.size()) {
        const uint32_t v = uint8_t(in[i]) << 16;
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        const uint32_t v = uint8_t(in[i]) << 16 | uint8_t(in[i + 1]) << 8;
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

// --- configuration --------------------------------------------------------------------------

struct Config
{
    std::string mode = "echo"; // echo | binary | broadcast | idle | connect
    std::string host = "127.0.0.1";
    int port = 3000;
    std::string path = "/socket.io/";
    int clients = 100;
    double duration = 10;    // s measured
    double warmup = 2;       // s of load before measuring
    double hold = 10;        // s idle connections are held
    double connectWait = 60; // s at most to get every client connected
    bool polling = false;    // polling handshake, then upgrade to WebSocket
    size_t size = 64 * 1024; // binary payload
    int concurrency = 100;   // handshakes in flight
    int window = 2;          // broadcasts in flight
    // echo, broadcast: operations per second over all clients, sent when due whatever is in
    // flight (an open loop, as independent users behave); 0: closed loop (echo: one in flight
    // per client; broadcast: --window in flight)
    double rate = 0;
    long long count = 0; // measured operations at most (0: no limit)
    // broadcast: the trigger's server when it is another one (a cluster: the broadcast
    // reaches the receivers on --url through the adapter); empty: --url
    std::string triggerHost;
    int triggerPort = 0;
};

Config g_cfg;

void usage()
{
    std::fprintf(stderr,
                 "usage: socketio-loadgen --mode echo|binary|broadcast|idle|connect [options]\n"
                 "  --url HOST:PORT      server (default 127.0.0.1:3000)\n"
                 "  --path P             Engine.IO path (default /socket.io/)\n"
                 "  --clients N          connections (connect mode: handshakes in flight)\n"
                 "  --duration S         measured seconds (default 10)\n"
                 "  --warmup S           seconds of load before measuring (default 2)\n"
                 "  --hold S             idle: seconds to hold the connections (default 10)\n"
                 "  --count N            stop measuring after N operations\n"
                 "  --transport websocket|polling   polling = polling handshake + upgrade\n"
                 "  --size BYTES         binary payload (default 65536)\n"
                 "  --concurrency N      handshakes in flight while connecting (default 100)\n"
                 "  --window N           broadcasts in flight (default 2)\n"
                 "  --rate R             echo, broadcast: R operations/s sent when due (open\n"
                 "                       loop; latency counts from the due time)\n"
                 "  --trigger-url HOST:PORT  broadcast: the trigger connects there (another\n"
                 "                       node of a cluster), the receivers to --url\n"
                 "  --connect-wait S     give up connecting after S seconds (default 60)\n");
}

// HOST:PORT, also with http:// or ws:// before and a path after.
bool parseHostPort(std::string u, std::string &host, int &port)
{
    if (u.rfind("http://", 0) == 0)
        u = u.substr(7);
    else if (u.rfind("ws://", 0) == 0)
        u = u.substr(5);
    const size_t slash = u.find('/');
    if (slash != std::string::npos)
        u = u.substr(0, slash);
    const size_t colon = u.rfind(':');
    if (colon == std::string::npos)
        return false;
    host = u.substr(0, colon);
    port = std::atoi(u.c_str() + colon + 1);
    return true;
}

bool parseArgs(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help")
            return false;
        if (i + 1 >= argc) {
            std::fprintf(stderr, "missing value for %s\n", a.c_str());
            return false;
        }
        const std::string v = argv[++i];
        if (a == "--mode") {
            g_cfg.mode = v;
        } else if (a == "--url") {
            if (!parseHostPort(v, g_cfg.host, g_cfg.port))
                return false;
        } else if (a == "--trigger-url") {
            if (!parseHostPort(v, g_cfg.triggerHost, g_cfg.triggerPort))
                return false;
        } else if (a == "--path") {
            g_cfg.path = v;
        } else if (a == "--clients") {
            g_cfg.clients = std::max(1, std::atoi(v.c_str()));
        } else if (a == "--duration") {
            g_cfg.duration = std::atof(v.c_str());
        } else if (a == "--warmup") {
            g_cfg.warmup = std::atof(v.c_str());
        } else if (a == "--hold") {
            g_cfg.hold = std::atof(v.c_str());
        } else if (a == "--count") {
            g_cfg.count = std::atoll(v.c_str());
        } else if (a == "--transport") {
            g_cfg.polling = (v == "polling");
        } else if (a == "--size") {
            g_cfg.size = size_t(std::max(1, std::atoi(v.c_str())));
        } else if (a == "--concurrency") {
            g_cfg.concurrency = std::max(1, std::atoi(v.c_str()));
        } else if (a == "--rate") {
            g_cfg.rate = std::max(0.0, std::atof(v.c_str()));
        } else if (a == "--window") {
            g_cfg.window = std::max(1, std::atoi(v.c_str()));
        } else if (a == "--connect-wait") {
            g_cfg.connectWait = std::atof(v.c_str());
        } else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return false;
        }
    }
    static const char *modes[] = {"echo", "binary", "broadcast", "idle", "connect"};
    return std::find_if(std::begin(modes), std::end(modes),
                        [](const char *m) { return g_cfg.mode == m; }) != std::end(modes);
}

// --- connections ------------------------------------------------------------------------------

enum class State {
    Closed,
    TcpConnecting,
    HttpOpen,   // polling: awaiting the Engine.IO open packet
    HttpPost,   // polling: awaiting "ok" for the posted "40"
    HttpPoll,   // polling: awaiting "40{...}"
    WsUpgrade,  // awaiting "101 Switching Protocols"
    EioOpen,    // WebSocket: awaiting "0{...}"
    Probe,      // upgrade: awaiting "3probe"
    SioConnect, // awaiting "40{...}"
    Ready,
};

constexpr size_t kMaxMessage = 64u << 20;

struct Conn
{
    int fd = -1;
    State state = State::Closed;
    bool wantWrite = false;
    bool closeSent = false;
    bool trigger = false; // broadcast: the client that emits "bcast"
    std::string in;
    size_t inPos = 0;
    std::string out;
    size_t outPos = 0;
    std::string key;     // Sec-WebSocket-Key
    std::string sid;     // Engine.IO session id (polling upgrade)
    std::string message; // fragmented message being assembled
    int messageOp = 0;
    bool inFragment = false;
    int attachmentsLeft = 0; // binary frames still due for the current packet
    uint64_t binaryAckId = 0;
    uint64_t nextId = 1;
    uint64_t waitingId = 0; // ack id in flight, 0 for none
    int64_t sentAt = 0;
    // --rate: the acks in flight, oldest first (a server acks in order), with their due times
    std::deque<std::pair<uint64_t, int64_t>> inFlight;
    int64_t startedAt = 0; // handshake start
};

enum class Phase { Connecting, Hold, Warmup, Measure, Done };

struct Broadcast
{
    int64_t t = 0;
    int expected = 0;
    int received = 0;
    int64_t last = 0;
};

struct Stats
{
    long long ops = 0;
    long long bytes = 0;
    long long deliveries = 0;
    long long broadcasts = 0;
    long long incompleteBroadcasts = 0;
    long long failed = 0;
    long long closedByServer = 0;
    long long protocolErrors = 0;
    std::vector<int64_t> latencies; // ns
};

int g_epoll = -1;
std::vector<Conn> g_conns;
std::vector<int> g_restart; // connect mode: slots to start again
Phase g_phase = Phase::Connecting;
Stats g_stats;
int g_ready = 0;
int g_connected = 0; // ready when the workload started
int g_handshaking = 0;
int g_nextToStart = 0; // connecting phase: next slot to start
int64_t g_phaseStart = 0, g_measureStart = 0, g_measureEnd = 0;
double g_connectSeconds = 0;
double g_cpuStart = 0, g_cpuEnd = 0;
std::vector<Broadcast> g_broadcasts;
std::string g_payload; // binary mode
sockaddr_in g_addr{};
sockaddr_in g_triggerAddr{}; // the trigger's server (g_addr without --trigger-url)
volatile sig_atomic_t g_stop = 0;

bool isMeasuring()
{
    return g_phase == Phase::Measure;
}

void setEvents(Conn &c, int idx, bool write)
{
    epoll_event ev{};
    ev.events = EPOLLIN | (write ? EPOLLOUT : 0u);
    ev.data.u32 = uint32_t(idx);
    epoll_ctl(g_epoll, EPOLL_CTL_MOD, c.fd, &ev);
    c.wantWrite = write;
}

void closeConn(Conn &c)
{
    if (c.fd < 0)
        return;
    if (c.state == State::Ready)
        --g_ready;
    else if (c.state != State::Closed)
        --g_handshaking;
    close(c.fd); // also removes it from the epoll set
    c.fd = -1;
    c.state = State::Closed;
    c.in.clear();
    c.inPos = 0;
    c.out.clear();
    c.outPos = 0;
    c.message.clear();
    c.inFragment = false;
    c.attachmentsLeft = 0;
    c.waitingId = 0;
    c.inFlight.clear();
    c.closeSent = false;
    c.wantWrite = false;
}

int indexOf(const Conn &c)
{
    return int(&c - g_conns.data());
}

void fail(Conn &c, bool protocol)
{
    if (protocol)
        ++g_stats.protocolErrors;
    if (c.state == State::Ready)
        ++g_stats.closedByServer;
    else if (c.state != State::Closed)
        ++g_stats.failed;
    closeConn(c);
    if (g_cfg.mode == "connect")
        g_restart.push_back(indexOf(c));
}

void flush(Conn &c)
{
    while (c.outPos < c.out.size()) {
        const ssize_t n =
            send(c.fd, c.out.data() + c.outPos, c.out.size() - c.outPos, MSG_NOSIGNAL);
        if (n > 0) {
            c.outPos += size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c.wantWrite)
                setEvents(c, indexOf(c), true);
            return;
        }
        fail(c, false);
        return;
    }
    c.out.clear();
    c.outPos = 0;
    if (c.wantWrite)
        setEvents(c, indexOf(c), false);
}

// Appends one masked client frame.
void appendFrame(Conn &c, int opcode, const char *data, size_t len, bool fin = true)
{
    std::string &o = c.out;
    if (c.outPos > 0 && c.outPos == o.size()) {
        o.clear();
        c.outPos = 0;
    }
    o += char((fin ? 0x80 : 0) | opcode);
    if (len < 126) {
        o += char(0x80 | len);
    } else if (len < 65536) {
        o += char(0x80 | 126);
        o += char(len >> 8);
        o += char(len & 0xff);
    } else {
        o += char(0x80 | 127);
        for (int i = 7; i >= 0; --i)
            o += char((uint64_t(len) >> (i * 8)) & 0xff);
    }
    const uint32_t mask = random32();
    char key[4];
    std::memcpy(key, &mask, 4);
    o.append(key, 4);
    const size_t start = o.size();
    o.append(data, len);
    char *p = &o[start];
    uint64_t mask8;
    std::memcpy(&mask8, key, 4);
    std::memcpy(reinterpret_cast<char *>(&mask8) + 4, key, 4);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        std::memcpy(&v, p + i, 8);
        v ^= mask8;
        std::memcpy(p + i, &v, 8);
    }
    for (; i < len; ++i)
        p[i] ^= key[i & 3];
}

void sendText(Conn &c, const char *data, size_t len)
{
    appendFrame(c, 1, data, len);
    flush(c);
}

void sendHttp(Conn &c, const std::string &s)
{
    c.out += s;
    flush(c);
}

std::string hostHeader(const Conn &c)
{
    if (c.trigger && !g_cfg.triggerHost.empty())
        return g_cfg.triggerHost + ":" + std::to_string(g_cfg.triggerPort);
    return g_cfg.host + ":" + std::to_string(g_cfg.port);
}

std::string query(const Conn &c, const char *transport)
{
    std::string q = g_cfg.path + "?EIO=4&transport=" + transport;
    if (!c.sid.empty())
        q += "&sid=" + c.sid;
    return q;
}

void sendPollingGet(Conn &c)
{
    sendHttp(c, "GET " + query(c, "polling") + " HTTP/1.1\r\nHost: " + hostHeader(c) +
                    "\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n");
}

void sendUpgrade(Conn &c)
{
    std::string raw;
    for (int i = 0; i < 4; ++i) {
        const uint32_t r = random32();
        raw.append(reinterpret_cast<const char *>(&r), 4);
    }
    c.key = base64(raw);
    sendHttp(c, "GET " + query(c, "websocket") + " HTTP/1.1\r\nHost: " + hostHeader(c) +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + c.key +
                    "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    c.state = State::WsUpgrade;
}

// Opens the TCP connection of slot `idx`; the handshake goes on in onWritable/onReadable.
bool startConn(int idx)
{
    Conn &c = g_conns[size_t(idx)];
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ++g_stats.failed;
        return false;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in *addr = c.trigger ? &g_triggerAddr : &g_addr;
    if (connect(fd, reinterpret_cast<sockaddr *>(addr), sizeof *addr) < 0 && errno != EINPROGRESS) {
        close(fd);
        ++g_stats.failed;
        return false;
    }
    c.fd = fd;
    c.state = State::TcpConnecting;
    if (c.startedAt == 0 || c.sid.empty())
        c.startedAt = nowNs();
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u32 = uint32_t(idx);
    epoll_ctl(g_epoll, EPOLL_CTL_ADD, fd, &ev);
    c.wantWrite = true;
    ++g_handshaking;
    return true;
}

// A new connection in slot `idx` (forgetting any previous session).
void startFresh(int idx)
{
    Conn &c = g_conns[size_t(idx)];
    c.sid.clear();
    c.startedAt = 0;
    startConn(idx);
}

// --- workload -----------------------------------------------------------------------------

// `due`: when the round trip was due to start (--rate), 0 for now.
void sendEcho(Conn &c, int64_t due = 0)
{
    char buf[128];
    const uint64_t id = c.nextId++;
    const int n =
        std::snprintf(buf, sizeof buf, "42%llu[\"echo\",{\"n\":%llu,\"s\":\"hello\"}]",
                      static_cast<unsigned long long>(id), static_cast<unsigned long long>(id));
    if (due != 0) {
        c.inFlight.emplace_back(id, due);
    } else {
        c.waitingId = id;
        c.sentAt = nowNs();
    }
    sendText(c, buf, size_t(n));
}

void sendBinary(Conn &c)
{
    char buf[128];
    const uint64_t id = c.nextId++;
    const int n =
        std::snprintf(buf, sizeof buf, "451-%llu[\"echo-bin\",{\"_placeholder\":true,\"num\":0}]",
                      static_cast<unsigned long long>(id));
    c.waitingId = id;
    c.sentAt = nowNs();
    appendFrame(c, 1, buf, size_t(n));
    appendFrame(c, 2, g_payload.data(), g_payload.size());
    flush(c);
}

// One broadcast, stamped with `due` (made unique).
void sendBroadcast(int64_t due)
{
    Conn &t = g_conns.back();
    Broadcast b;
    b.t = due;
    for (const Broadcast &o : g_broadcasts)
        b.t = std::max(b.t, o.t + 1); // unique timestamps
    b.expected = g_ready;
    g_broadcasts.push_back(b);
    char buf[96];
    const int n =
        std::snprintf(buf, sizeof buf, "42[\"bcast\",{\"t\":%lld}]", static_cast<long long>(b.t));
    sendText(t, buf, size_t(n));
}

// Closed loop: tops the broadcasts in flight up to --window.
void sendBroadcasts()
{
    Conn &t = g_conns.back();
    if (t.state != State::Ready || g_cfg.rate > 0)
        return;
    while (int(g_broadcasts.size()) < g_cfg.window && t.fd >= 0)
        sendBroadcast(nowNs());
}

// Open loop (--rate): sends what fell due since the load started, each stamped with its due
// time, so that a server that falls behind shows in the latency instead of slowing the load.
int64_t g_loadStart = 0;
long long g_sentAtRate = 0;
size_t g_nextEchoClient = 0;

void sendDue(int64_t now)
{
    const long long due = (long long)(double(now - g_loadStart) * g_cfg.rate / 1e9);
    for (; g_sentAtRate < due; ++g_sentAtRate) {
        const int64_t at = g_loadStart + int64_t(double(g_sentAtRate) * 1e9 / g_cfg.rate);
        if (g_cfg.mode == "broadcast") {
            if (g_conns.back().state == State::Ready)
                sendBroadcast(at);
            continue;
        }
        // The next ready client, round robin.
        for (size_t tried = 0; tried < g_conns.size(); ++tried) {
            Conn &c = g_conns[g_nextEchoClient];
            g_nextEchoClient = (g_nextEchoClient + 1) % g_conns.size();
            if (c.state == State::Ready) {
                sendEcho(c, at);
                break;
            }
        }
    }
}

void recordOp(int64_t latency, long long bytes)
{
    if (!isMeasuring())
        return;
    ++g_stats.ops;
    g_stats.bytes += bytes;
    g_stats.latencies.push_back(latency);
}

// Called when a connection finished its handshake.
void onReady(Conn &c)
{
    c.state = State::Ready;
    --g_handshaking;
    ++g_ready;
    if (g_cfg.mode == "connect") {
        recordOp(nowNs() - c.startedAt, 0);
        const char closePayload[2] = {char(0x03), char(0xe8)}; // 1000
        appendFrame(c, 8, closePayload, 2);
        flush(c);
        closeConn(c);
        g_restart.push_back(indexOf(c));
        return;
    }
    if ((g_phase == Phase::Warmup || g_phase == Phase::Measure) && g_cfg.rate == 0) {
        if (g_cfg.mode == "echo")
            sendEcho(c);
        else if (g_cfg.mode == "binary")
            sendBinary(c);
    }
}

void completeBroadcast(size_t i)
{
    const Broadcast b = g_broadcasts[i];
    g_broadcasts.erase(g_broadcasts.begin() + long(i));
    if (isMeasuring()) { // at most `window` broadcasts were sent before measuring
        ++g_stats.broadcasts;
        g_stats.latencies.push_back(b.last - b.t);
    }
    if (g_phase == Phase::Warmup || g_phase == Phase::Measure)
        sendBroadcasts();
}

void onNews(const char *p, size_t len)
{
    static const char tkey[] = "\"t\":";
    const char *f = static_cast<const char *>(memmem(p, len, tkey, 4));
    if (!f) {
        ++g_stats.protocolErrors;
        return;
    }
    const int64_t t = std::strtoll(f + 4, nullptr, 10);
    const int64_t now = nowNs();
    if (isMeasuring())
        ++g_stats.deliveries;
    for (size_t i = 0; i < g_broadcasts.size(); ++i) {
        Broadcast &b = g_broadcasts[i];
        if (b.t != t)
            continue;
        b.last = now;
        if (++b.received >= b.expected)
            completeBroadcast(i);
        return;
    }
}

uint64_t parseNumber(const char *&p, const char *end)
{
    uint64_t v = 0;
    while (p < end && *p >= '0' && *p <= '9')
        v = v * 10 + uint64_t(*p++ - '0');
    return v;
}

// One Engine.IO packet from a text frame, or a binary attachment.
void onMessage(Conn &c, int opcode, const char *p, size_t len)
{
    if (opcode == 2) {
        if (c.attachmentsLeft <= 0) {
            ++g_stats.protocolErrors;
            return;
        }
        if (--c.attachmentsLeft == 0 && c.binaryAckId != 0 && c.binaryAckId == c.waitingId) {
            if (len != g_payload.size())
                ++g_stats.protocolErrors;
            c.waitingId = 0;
            c.binaryAckId = 0;
            recordOp(nowNs() - c.sentAt, (long long)len);
            if (g_phase == Phase::Warmup || g_phase == Phase::Measure)
                sendBinary(c);
        }
        return;
    }
    if (len == 0) {
        ++g_stats.protocolErrors;
        return;
    }
    const char *end = p + len;
    switch (p[0]) {
    case '0': // open
        if (c.state == State::EioOpen) {
            c.state = State::SioConnect;
            sendText(c, "40", 2);
        }
        return;
    case '1': // close
        fail(c, false);
        return;
    case '2': // ping
        if (len == 6 && std::memcmp(p, "2probe", 6) == 0)
            sendText(c, "3probe", 6);
        else
            sendText(c, "3", 1);
        return;
    case '3':
        if (c.state == State::Probe && len == 6 && std::memcmp(p, "3probe", 6) == 0) {
            sendText(c, "5", 1);
            if (c.fd >= 0)
                onReady(c);
        }
        return;
    case '6': // noop
        return;
    case '4':
        break;
    default:
        ++g_stats.protocolErrors;
        return;
    }
    if (len < 2) {
        ++g_stats.protocolErrors;
        return;
    }
    const char type = p[1];
    const char *q = p + 2;
    if (type == '0') { // CONNECT
        if (c.state == State::SioConnect)
            onReady(c);
    } else if (type == '1' || type == '4') { // DISCONNECT, CONNECT_ERROR
        fail(c, type == '4');
    } else if (type == '2') { // EVENT
        if (len > 10 && std::memcmp(q, "[\"news\"", 7) == 0)
            onNews(q, size_t(end - q));
    } else if (type == '3') { // ACK
        const uint64_t id = parseNumber(q, end);
        if (!c.inFlight.empty() && g_cfg.mode == "echo") {
            if (c.inFlight.front().first != id) {
                ++g_stats.protocolErrors;
                return;
            }
            recordOp(nowNs() - c.inFlight.front().second, 0);
            c.inFlight.pop_front();
        } else if (id != 0 && id == c.waitingId && g_cfg.mode == "echo") {
            c.waitingId = 0;
            recordOp(nowNs() - c.sentAt, 0);
            if (g_phase == Phase::Warmup || g_phase == Phase::Measure)
                sendEcho(c);
        }
    } else if (type == '5' || type == '6') { // BINARY_EVENT, BINARY_ACK
        const int attachments = int(parseNumber(q, end));
        if (q >= end || *q != '-') {
            ++g_stats.protocolErrors;
            return;
        }
        ++q;
        c.attachmentsLeft = attachments;
        c.binaryAckId = type == '6' ? parseNumber(q, end) : 0;
    } else {
        ++g_stats.protocolErrors;
    }
}

// Parses the WebSocket frames buffered in c.in.
void processFrames(Conn &c)
{
    const int fd = c.fd;
    while (c.fd == fd) {
        const size_t avail = c.in.size() - c.inPos;
        if (avail < 2)
            break;
        auto *h = reinterpret_cast<unsigned char *>(&c.in[c.inPos]);
        const bool fin = h[0] & 0x80;
        const int op = h[0] & 0x0f;
        const bool masked = h[1] & 0x80;
        uint64_t len = h[1] & 0x7f;
        size_t hdr = 2;
        if (len == 126) {
            if (avail < 4)
                break;
            len = uint64_t(h[2]) << 8 | h[3];
            hdr = 4;
        } else if (len == 127) {
            if (avail < 10)
                break;
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = len << 8 | h[2 + i];
            hdr = 10;
        }
        if (len > kMaxMessage) {
            fail(c, true);
            return;
        }
        const size_t keyAt = hdr;
        if (masked)
            hdr += 4;
        if (avail < hdr + len)
            break;
        char *payload = reinterpret_cast<char *>(h) + hdr;
        if (masked)
            for (size_t i = 0; i < len; ++i)
                payload[i] ^= char(h[keyAt + (i & 3)]);
        c.inPos += hdr + len;
        if (op >= 8) { // control frames may come between fragments
            if (op == 8) {
                if (!c.closeSent) {
                    appendFrame(c, 8, payload, std::min<size_t>(len, 2));
                    c.closeSent = true;
                    flush(c);
                }
                fail(c, false);
                return;
            }
            if (op == 9) {
                appendFrame(c, 10, payload, len);
                flush(c);
            }
            continue;
        }
        if (op != 0) {
            if (c.inFragment) {
                fail(c, true);
                return;
            }
            if (fin) {
                onMessage(c, op, payload, len);
                continue;
            }
            c.messageOp = op;
            c.message.assign(payload, len);
            c.inFragment = true;
        } else {
            if (!c.inFragment || c.message.size() + len > kMaxMessage) {
                fail(c, true);
                return;
            }
            c.message.append(payload, len);
            if (fin) {
                c.inFragment = false;
                std::string m;
                m.swap(c.message);
                onMessage(c, c.messageOp, m.data(), m.size());
            }
        }
    }
    if (c.fd != fd)
        return;
    if (c.inPos == c.in.size()) {
        c.in.clear();
        c.inPos = 0;
    } else if (c.inPos > 256 * 1024) {
        c.in.erase(0, c.inPos);
        c.inPos = 0;
    }
}

std::string headerValue(const std::string &lowerHead, const std::string &head, const char *name)
{
    const size_t at = lowerHead.find(name);
    if (at == std::string::npos)
        return {};
    size_t b = at + std::strlen(name);
    while (b < head.size() && (head[b] == ' ' || head[b] == '\t'))
        ++b;
    const size_t e = head.find("\r\n", b);
    return head.substr(b, (e == std::string::npos ? head.size() : e) - b);
}

// Parses one HTTP response (polling or the upgrade); false when incomplete.
bool processHttp(Conn &c)
{
    const size_t headEnd = c.in.find("\r\n\r\n", c.inPos);
    if (headEnd == std::string::npos) {
        if (c.in.size() - c.inPos > 64 * 1024)
            fail(c, true);
        return false;
    }
    const std::string head = c.in.substr(c.inPos, headEnd - c.inPos);
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    const int status = head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
    if (c.state == State::WsUpgrade) {
        const std::string accept = headerValue(lower, head, "\r\nsec-websocket-accept:");
        if (status != 101 ||
            accept != base64(sha1(c.key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))) {
            fail(c, true);
            return false;
        }
        c.inPos = headEnd + 4;
        if (c.sid.empty()) {
            c.state = State::EioOpen;
        } else {
            c.state = State::Probe;
            sendText(c, "2probe", 6);
        }
        return c.fd >= 0;
    }
    const std::string cl = headerValue(lower, head, "\r\ncontent-length:");
    if (status != 200 || cl.empty()) {
        fail(c, true);
        return false;
    }
    const size_t bodyLen = size_t(std::atoll(cl.c_str()));
    if (c.in.size() < headEnd + 4 + bodyLen)
        return false;
    const std::string body = c.in.substr(headEnd + 4, bodyLen);
    c.inPos = headEnd + 4 + bodyLen;
    if (c.state == State::HttpOpen) {
        const size_t s = body.find("\"sid\":\"");
        const size_t e = s == std::string::npos ? s : body.find('"', s + 7);
        if (body.empty() || body[0] != '0' || e == std::string::npos) {
            fail(c, true);
            return false;
        }
        c.sid = body.substr(s + 7, e - s - 7);
        c.state = State::HttpPost;
        sendHttp(c, "POST " + query(c, "polling") + " HTTP/1.1\r\nHost: " + hostHeader(c) +
                        "\r\nConnection: keep-alive\r\nContent-Type: text/plain;charset=UTF-8"
                        "\r\nContent-Length: 2\r\n\r\n40");
    } else if (c.state == State::HttpPost) {
        c.state = State::HttpPoll;
        sendPollingGet(c);
    } else if (c.state == State::HttpPoll) {
        bool connected = false;
        size_t b = 0;
        while (b <= body.size()) { // packets separated by \x1e
            size_t e = body.find('\x1e', b);
            if (e == std::string::npos)
                e = body.size();
            if (body.compare(b, 2, "40") == 0)
                connected = true;
            else if (body.compare(b, 2, "44") == 0) {
                fail(c, true);
                return false;
            }
            b = e + 1;
        }
        if (!connected) {
            sendPollingGet(c);
            return c.fd >= 0;
        }
        // Upgrade on a new connection, as browsers do.
        const int idx = indexOf(c);
        const std::string sid = c.sid;
        const int64_t started = c.startedAt;
        closeConn(c);
        c.sid = sid;
        c.startedAt = started;
        startConn(idx);
        return false;
    }
    return c.fd >= 0;
}

void onReadable(Conn &c)
{
    static char buf[256 * 1024];
    const int fd = c.fd;
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            c.in.append(buf, size_t(n));
            if (size_t(n) < sizeof buf)
                break;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        // EOF or error: process what came first, then close.
        if (c.state == State::Ready || c.state == State::EioOpen || c.state == State::Probe ||
            c.state == State::SioConnect)
            processFrames(c);
        if (c.fd == fd)
            fail(c, false);
        return;
    }
    while (c.fd == fd) {
        if (c.state == State::HttpOpen || c.state == State::HttpPost ||
            c.state == State::HttpPoll || c.state == State::WsUpgrade) {
            if (!processHttp(c))
                return;
            continue;
        }
        processFrames(c);
        return;
    }
}

void onWritable(Conn &c)
{
    if (c.state == State::TcpConnecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            fail(c, false);
            return;
        }
        setEvents(c, indexOf(c), false);
        if (g_cfg.polling && c.sid.empty()) {
            c.state = State::HttpOpen;
            sendPollingGet(c);
        } else {
            sendUpgrade(c);
        }
        return;
    }
    flush(c);
}

// --- main loop ------------------------------------------------------------------------------

double seconds(int64_t ns)
{
    return double(ns) / 1e9;
}

void setPhase(Phase p, int64_t now)
{
    g_phase = p;
    g_phaseStart = now;
    if (p == Phase::Measure) {
        g_measureStart = now;
        g_cpuStart = cpuSeconds();
        std::fprintf(stderr, "# phase measure\n");
    } else if (p == Phase::Done && g_measureStart != 0) {
        g_measureEnd = now;
        g_cpuEnd = cpuSeconds();
        std::fprintf(stderr, "# phase end\n");
    } else if (p == Phase::Hold) {
        g_measureStart = now;
        g_cpuStart = cpuSeconds();
        std::fprintf(stderr, "# phase connected %d\n", g_ready);
    }
    std::fflush(stderr);
}

void startWorkload(int64_t now)
{
    setPhase(Phase::Warmup, now);
    if (g_cfg.rate > 0) {
        g_loadStart = now;
        return; // tick() sends what falls due
    }
    for (Conn &c : g_conns) {
        if (c.state != State::Ready || c.trigger)
            continue;
        if (g_cfg.mode == "echo")
            sendEcho(c);
        else if (g_cfg.mode == "binary")
            sendBinary(c);
    }
    if (g_cfg.mode == "broadcast")
        sendBroadcasts();
}

void tick(int64_t now)
{
    const bool connectMode = g_cfg.mode == "connect";
    if (connectMode) {
        std::vector<int> restart;
        restart.swap(g_restart);
        if (g_phase != Phase::Done)
            for (int idx : restart)
                startFresh(idx);
    }
    if (g_phase == Phase::Connecting) {
        const int total = int(g_conns.size());
        while (g_nextToStart < total && g_handshaking < g_cfg.concurrency)
            startFresh(g_nextToStart++);
        const bool allStarted = g_nextToStart >= total;
        if ((allStarted && g_handshaking == 0) || seconds(now - g_phaseStart) > g_cfg.connectWait) {
            g_connectSeconds = seconds(now - g_phaseStart);
            g_connected = g_ready;
            std::fprintf(stderr, "# connected %d of %d in %.2f s\n", g_ready, total,
                         g_connectSeconds);
            if (g_cfg.mode == "idle")
                setPhase(Phase::Hold, now);
            else
                startWorkload(now);
        }
        return;
    }
    if (g_phase == Phase::Hold) {
        if (seconds(now - g_phaseStart) >= g_cfg.hold || g_stop)
            setPhase(Phase::Done, now);
        return;
    }
    if (g_phase == Phase::Warmup && (seconds(now - g_phaseStart) >= g_cfg.warmup || g_stop)) {
        setPhase(Phase::Measure, now);
    } else if (g_phase == Phase::Measure) {
        const long long done = g_cfg.mode == "broadcast" ? g_stats.broadcasts : g_stats.ops;
        if (seconds(now - g_phaseStart) >= g_cfg.duration || g_stop ||
            (g_cfg.count > 0 && done >= g_cfg.count))
            setPhase(Phase::Done, now);
    }
    if (g_cfg.rate > 0 && (g_phase == Phase::Warmup || g_phase == Phase::Measure))
        sendDue(now);
    if (g_cfg.mode == "broadcast") {
        // A broadcast some receiver never got (it went away) must not stall the trigger.
        for (size_t i = 0; i < g_broadcasts.size(); ++i) {
            if (now - g_broadcasts[i].t > 5'000'000'000ll) {
                ++g_stats.incompleteBroadcasts;
                g_broadcasts.erase(g_broadcasts.begin() + long(i));
                sendBroadcasts();
                break;
            }
        }
    }
}

double percentileUs(std::vector<int64_t> &v, double q)
{
    if (v.empty())
        return 0;
    const size_t k = std::min(v.size() - 1, size_t(q * double(v.size())));
    std::nth_element(v.begin(), v.begin() + long(k), v.end());
    return double(v[k]) / 1e3;
}

// A JSON number, or null when there is no sample.
std::string number(double v, bool none)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return none ? "null" : buf;
}

void printResult()
{
    const double elapsed =
        g_measureEnd > g_measureStart ? seconds(g_measureEnd - g_measureStart) : 0.0;
    const double cpu = elapsed > 0 ? 100.0 * (g_cpuEnd - g_cpuStart) / elapsed : 0.0;
    std::vector<int64_t> &l = g_stats.latencies;
    const std::string p50 = number(percentileUs(l, 0.50), l.empty());
    const std::string p99 = number(percentileUs(l, 0.99), l.empty());
    const std::string p999 = number(percentileUs(l, 0.999), l.empty());
    const std::string maxUs =
        number(l.empty() ? 0 : double(*std::max_element(l.begin(), l.end())) / 1e3, l.empty());
    const int clients = g_cfg.mode == "connect" ? 0 : g_cfg.clients;
    const long long ops = g_cfg.mode == "broadcast" ? g_stats.deliveries : g_stats.ops;
    const double rate = elapsed > 0 ? double(ops) / elapsed : 0.0;
    std::printf("{\"mode\":\"%s\",\"transport\":\"%s\",\"clients\":%d,\"connected\":%d,"
                "\"failed\":%lld,\"closed_by_server\":%lld,\"protocol_errors\":%lld,"
                "\"connect_s\":%.3f,\"elapsed_s\":%.3f,\"ops\":%lld,\"ops_per_s\":%.1f,"
                "\"offered_per_s\":%s,\"p50_us\":%s,\"p99_us\":%s,\"p999_us\":%s,"
                "\"max_us\":%s,\"mb_per_s\":%.2f,"
                "\"deliveries\":%lld,\"broadcasts\":%lld,\"incomplete_broadcasts\":%lld,"
                "\"gen_cpu_pct\":%.1f}\n",
                g_cfg.mode.c_str(), g_cfg.polling ? "polling" : "websocket", clients, g_connected,
                g_stats.failed, g_stats.closedByServer, g_stats.protocolErrors, g_connectSeconds,
                elapsed, ops, rate, number(g_cfg.rate, g_cfg.rate == 0).c_str(), p50.c_str(),
                p99.c_str(), p999.c_str(), maxUs.c_str(),
                elapsed > 0 ? double(g_stats.bytes) / elapsed / 1e6 : 0.0, g_stats.deliveries,
                g_stats.broadcasts, g_stats.incompleteBroadcasts, cpu);
    std::fflush(stdout);
}

bool resolve(const std::string &host, int port, sockaddr_in &addr)
{
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res) {
        std::fprintf(stderr, "cannot resolve %s\n", host.c_str());
        return false;
    }
    addr = *reinterpret_cast<sockaddr_in *>(res->ai_addr);
    addr.sin_port = htons(uint16_t(port));
    freeaddrinfo(res);
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    if (!parseArgs(argc, argv)) {
        usage();
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGINT, [](int) { g_stop = 1; });
    std::signal(SIGTERM, [](int) { g_stop = 1; });

    if (!resolve(g_cfg.host, g_cfg.port, g_addr))
        return 2;
    g_triggerAddr = g_addr;
    if (!g_cfg.triggerHost.empty() && !resolve(g_cfg.triggerHost, g_cfg.triggerPort, g_triggerAddr))
        return 2;

    rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    const int slots = g_cfg.clients + (g_cfg.mode == "broadcast" ? 1 : 0);
    if (rlim_t(slots) + 16 > rl.rlim_cur) {
        std::fprintf(stderr, "%d connections need more than the open-file limit %llu\n", slots,
                     static_cast<unsigned long long>(rl.rlim_cur));
        return 2;
    }
    g_conns.resize(size_t(slots));
    if (g_cfg.mode == "broadcast")
        g_conns.back().trigger = true;
    if (g_cfg.mode == "binary") {
        g_payload.resize(g_cfg.size);
        for (size_t i = 0; i < g_cfg.size; ++i)
            g_payload[i] = char(i * 31 + 7);
    }

    g_epoll = epoll_create1(EPOLL_CLOEXEC);
    const int64_t start = nowNs();
    if (g_cfg.mode == "connect") {
        setPhase(Phase::Warmup, start);
        for (int i = 0; i < slots; ++i)
            startFresh(i);
    } else {
        setPhase(Phase::Connecting, start);
    }

    std::vector<epoll_event> events(1024);
    while (g_phase != Phase::Done) {
        // --rate sends on time: wake at least every millisecond.
        const int n =
            epoll_wait(g_epoll, events.data(), int(events.size()), g_cfg.rate > 0 ? 1 : 5);
        for (int i = 0; i < n; ++i) {
            Conn &c = g_conns[events[size_t(i)].data.u32];
            const uint32_t ev = events[size_t(i)].events;
            if (c.fd < 0)
                continue;
            if (ev & (EPOLLOUT | EPOLLERR))
                onWritable(c);
            if (c.fd >= 0 && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                onReadable(c);
        }
        tick(nowNs());
    }
    printResult();
    for (Conn &c : g_conns)
        closeConn(c);
    return 0;
}
