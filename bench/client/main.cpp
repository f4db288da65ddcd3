// socketio-bench-client: the Qt client of the client benchmark (bench/client.py), through the
// public API (Manager + ClientSocket), against bench/node/client-bench-server.mjs. Its Node
// twin is bench/node/client-bench.mjs: same phases, figures and JSON line.
//
//   socketio-bench-client --url http://127.0.0.1:PORT [--transport websocket|polling]
//       [--mode both|stream|echo] [--warmup S] [--duration S] [--size BYTES] [--chunk N]
//
// stream: asks for an endless stream of "tick" events ({i, s}, `s` of --size characters, the
//   last of each --chunk acknowledged); counts them and this process's CPU time (user+system,
//   every thread, getrusage) over the measured window; then "stop" and waits for the stream's
//   end.
// echo: "echo" {n, s: "hello"} with an acknowledgement, one in flight; round trips, their
//   latency (emit to acknowledgement) and CPU time over the measured window.
// Each phase: --warmup seconds, then "# phase measure <phase>" and "# phase end <phase>" on
// stderr around --duration seconds (the runner samples the server there). One JSON object on
// stdout at the end. Bounded: the whole run gives up after a time limit. QT_NO_GLIB=1 selects
// Qt's own event dispatcher instead of the glib one.

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>

#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTimer>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

namespace {

qint64 cpuMicroseconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return qint64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000'000 +
           usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

qint64 nowMicroseconds()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct Options
{
    QUrl url;
    QString transport;
    QString mode;
    double warmup = 1;
    double duration = 3;
    int size = 16;
    int chunk = 100;
};

// One sample of the measured window.
struct Mark
{
    qint64 ops = 0;
    qint64 time = 0;
    qint64 cpu = 0;
};

class Bench : public QObject
{
public:
    explicit Bench(const Options &options)
        : m_options(options)
    {
        SocketIO::ManagerOptions managerOptions;
        managerOptions.transports = {options.transport};
        managerOptions.reconnection = false;
        m_manager = new SocketIO::Manager(options.url, managerOptions, this);
        m_socket = m_manager->socket();
        m_result.insert(QStringLiteral("client"), QStringLiteral("qt"));
        m_result.insert(QStringLiteral("qt"), QString::fromLatin1(qVersion()));
        m_result.insert(
            QStringLiteral("dispatcher"),
            QString::fromLatin1(QAbstractEventDispatcher::instance()->metaObject()->className()));
        m_result.insert(QStringLiteral("transport"), options.transport);
        m_result.insert(QStringLiteral("size"), options.size);
        m_result.insert(QStringLiteral("chunk"), options.chunk);

        connect(m_socket, &SocketIO::ClientSocket::connected, this, &Bench::onConnected);
        connect(m_socket, &SocketIO::ClientSocket::connectError, this,
                [this](const QString &message) { fail(message); });
        connect(m_socket, &SocketIO::ClientSocket::disconnected, this,
                [this](const QString &reason) {
                    if (!m_finished)
                        fail(QStringLiteral("disconnected: ") + reason);
                });
        const int limit = int((2 * (options.warmup + options.duration) + 60) * 1000);
        QTimer::singleShot(limit, this, [this] { fail(QStringLiteral("time limit")); });
    }

private:
    void onConnected()
    {
        if (m_started)
            return;
        m_started = true;
        if (m_options.mode == u"echo")
            startEcho();
        else
            startStream();
    }

    // Warm-up, then the measured window; `done` after it.
    void window(const char *phase, std::function<qint64()> count, std::function<void()> done)
    {
        QTimer::singleShot(int(m_options.warmup * 1000), this, [=] {
            m_measuring = true;
            m_start = {count(), nowMicroseconds(), cpuMicroseconds()};
            std::fprintf(stderr, "# phase measure %s\n", phase);
            QTimer::singleShot(int(m_options.duration * 1000), this, [=] {
                m_end = {count(), nowMicroseconds(), cpuMicroseconds()};
                m_measuring = false;
                std::fprintf(stderr, "# phase end %s\n", phase);
                done();
            });
        });
    }

    // The figures of the last window: operations, per second, CPU us per operation, CPU %.
    void record(const QString &ops, const QString &perSecond, const QString &cpuPerOp,
                const QString &cpuPct)
    {
        const qint64 n = m_end.ops - m_start.ops;
        const double seconds = double(m_end.time - m_start.time) / 1e6;
        const double cpu = double(m_end.cpu - m_start.cpu);
        m_result.insert(ops, n);
        m_result.insert(perSecond, double(n) / seconds);
        m_result.insert(cpuPerOp, n ? QJsonValue(cpu / double(n)) : QJsonValue());
        m_result.insert(cpuPct, 100.0 * cpu / (seconds * 1e6));
    }

    void startStream()
    {
        m_socket->on(QStringLiteral("tick"), this,
                     [this](const QVariantList &, const SocketIO::Ack &ack) {
                         ++m_ticks;
                         if (ack.isValid())
                             ack();
                     });
        const QVariantMap request{{QStringLiteral("count"), 1e12},
                                  {QStringLiteral("size"), m_options.size},
                                  {QStringLiteral("chunk"), m_options.chunk}};
        m_socket->emitEvent(QStringLiteral("stream"), {request}, this,
                            [this](const QString &error, const QVariantList &) {
                                if (!error.isEmpty())
                                    fail(QStringLiteral("stream: ") + error);
                                else
                                    m_streamEnded = true;
                                if (m_streamStopped)
                                    endStream();
                            });
        window(
            "stream", [this] { return m_ticks; },
            [this] {
                record(QStringLiteral("events"), QStringLiteral("events_per_s"),
                       QStringLiteral("cpu_us_per_event"), QStringLiteral("stream_cpu_pct"));
                m_streamStopped = true;
                m_socket->emitEvent(QStringLiteral("stop"));
                if (m_streamEnded)
                    endStream();
            });
    }

    void endStream()
    {
        m_socket->off(QStringLiteral("tick"));
        if (m_options.mode == u"both")
            startEcho();
        else
            finish();
    }

    void startEcho()
    {
        m_echoRunning = true;
        sendEcho();
        window(
            "echo", [this] { return m_roundTrips; },
            [this] {
                record(QStringLiteral("round_trips"), QStringLiteral("rt_per_s"),
                       QStringLiteral("cpu_us_per_rt"), QStringLiteral("echo_cpu_pct"));
                m_echoRunning = false;
            });
    }

    void sendEcho()
    {
        const qint64 sent = nowMicroseconds();
        const QVariantMap payload{{QStringLiteral("n"), m_roundTrips},
                                  {QStringLiteral("s"), QStringLiteral("hello")}};
        m_socket->emitEvent(QStringLiteral("echo"), {payload}, this,
                            [this, sent](const QString &error, const QVariantList &) {
                                if (!error.isEmpty())
                                    return fail(QStringLiteral("echo: ") + error);
                                ++m_roundTrips;
                                if (m_measuring)
                                    m_latencies.push_back(nowMicroseconds() - sent);
                                if (m_echoRunning)
                                    sendEcho();
                                else
                                    finishEcho();
                            });
    }

    void finishEcho()
    {
        std::sort(m_latencies.begin(), m_latencies.end());
        const auto percentile = [this](double p) {
            if (m_latencies.empty())
                return QJsonValue();
            const size_t i =
                std::min(m_latencies.size() - 1, size_t(p / 100 * double(m_latencies.size())));
            return QJsonValue(m_latencies[i]);
        };
        m_result.insert(QStringLiteral("p50_us"), percentile(50));
        m_result.insert(QStringLiteral("p99_us"), percentile(99));
        finish();
    }

    void fail(const QString &message)
    {
        m_errors.append(message);
        finish();
    }

    void finish()
    {
        if (m_finished)
            return;
        m_finished = true;
        m_result.insert(QStringLiteral("errors"), m_errors);
        std::printf("%s\n", QJsonDocument(m_result).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        m_manager->close();
        QCoreApplication::exit(m_errors.isEmpty() ? 0 : 1);
    }

    Options m_options;
    SocketIO::Manager *m_manager = nullptr;
    SocketIO::ClientSocket *m_socket = nullptr;
    QJsonObject m_result;
    QJsonArray m_errors;
    Mark m_start;
    Mark m_end;
    qint64 m_ticks = 0;
    qint64 m_roundTrips = 0;
    std::vector<qint64> m_latencies;
    bool m_started = false;
    bool m_measuring = false;
    bool m_streamEnded = false;
    bool m_streamStopped = false;
    bool m_echoRunning = false;
    bool m_finished = false;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Socket.IO client benchmark"));
    parser.addHelpOption();
    const auto option = [&parser](const char *name, const char *help, const char *fallback) {
        QCommandLineOption o(QString::fromLatin1(name), QString::fromLatin1(help),
                             QStringLiteral("value"), QString::fromLatin1(fallback));
        parser.addOption(o);
        return o;
    };
    const auto url = option("url", "Server URL.", "http://127.0.0.1:3000");
    const auto transport = option("transport", "websocket or polling.", "websocket");
    const auto mode = option("mode", "both, stream or echo.", "both");
    const auto warmup = option("warmup", "Warm-up seconds per phase.", "1");
    const auto duration = option("duration", "Measured seconds per phase.", "3");
    const auto size = option("size", "Characters in each tick's string.", "16");
    const auto chunk = option("chunk", "Ticks per acknowledged chunk.", "100");
    parser.process(app);

    Options options;
    options.url = QUrl(parser.value(url));
    options.transport = parser.value(transport);
    options.mode = parser.value(mode);
    options.warmup = parser.value(warmup).toDouble();
    options.duration = parser.value(duration).toDouble();
    options.size = parser.value(size).toInt();
    options.chunk = parser.value(chunk).toInt();
    Bench bench(options);
    return app.exec();
}
