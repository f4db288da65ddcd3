// A real redis-server for the Redis adapter's tests, on a free loopback port, stopped with the
// object. redis-server cannot listen on port 0: a free port is found by binding a QTcpServer
// to 0 and closing it, and another is tried if redis-server lost the race for it. With
// setTls(), it serves TLS only (Debian's redis-server is built with it) on that port.
#pragma once

#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtTest/QTest>

#include <memory>
#include <vector>

class RedisServer
{
public:
    RedisServer() = default;
    ~RedisServer() { stop(); }
    RedisServer(const RedisServer &) = delete;
    RedisServer &operator=(const RedisServer &) = delete;

    // Serve TLS instead of plain TCP, with these PEM files (clients are not asked for a
    // certificate). Call before start().
    void setTls(const QString &certFile, const QString &keyFile, const QString &caFile)
    {
        m_tls = {QStringLiteral("--tls-cert-file"),    certFile,
                 QStringLiteral("--tls-key-file"),     keyFile,
                 QStringLiteral("--tls-ca-cert-file"), caFile,
                 QStringLiteral("--tls-auth-clients"), QStringLiteral("no")};
    }

    // Empty on success, otherwise why not (redis-server missing: install it).
    QString start(const QStringList &extraArguments = {})
    {
        const QString program = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
        if (program.isEmpty())
            return QStringLiteral("redis-server not found: the Redis adapter's tests need a real "
                                  "Redis 7 (Debian: apt install redis-server, or "
                                  "scripts/install-deps.sh)");
        QString lastError;
        for (int attempt = 0; attempt < 5; ++attempt) {
            const quint16 port = m_port ? m_port : freePort();
            QStringList args{QStringLiteral("--port"),       QString::number(port),
                             QStringLiteral("--bind"),       QStringLiteral("127.0.0.1"),
                             QStringLiteral("--save"),       QString(),
                             QStringLiteral("--appendonly"), QStringLiteral("no")};
            if (!m_tls.isEmpty()) {
                args[1] = QStringLiteral("0");
                args += QStringList{QStringLiteral("--tls-port"), QString::number(port)} + m_tls;
            }
            args += extraArguments;
            m_process.setProgram(program);
            m_process.setArguments(args);
            m_process.setProcessChannelMode(QProcess::MergedChannels);
            m_output.clear();
            m_process.start();
            if (!m_process.waitForStarted(5000))
                return m_process.errorString();
            // Ready once it says so on stdout; it exits at once when the port is taken.
            QDeadlineTimer deadline(10'000);
            while (!deadline.hasExpired() && m_process.state() == QProcess::Running &&
                   !m_output.contains("Ready to accept connections")) {
                m_process.waitForReadyRead(100);
                m_output += m_process.readAll();
            }
            if (m_output.contains("Ready to accept connections")) {
                m_port = port;
                return {};
            }
            lastError = QString::fromLocal8Bit(m_output);
            m_process.kill();
            m_process.waitForFinished(5000);
        }
        return QStringLiteral("redis-server did not start: ") + lastError;
    }

    void stop()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000); // teardown only
        }
    }

    quint16 port() const { return m_port; }

private:
    static quint16 freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        return probe.serverPort();
    }

    QProcess m_process;
    QByteArray m_output;
    QStringList m_tls;
    quint16 m_port = 0; // kept across restarts: the adapters reconnect to it
};

// A Redis Cluster of `count` masters without replicas, each a RedisServer with cluster mode on
// (its nodes.conf in a temporary directory), joined by `redis-cli --cluster create`, which
// splits the 16384 slots evenly in the order of the ports. Ready when every node reports
// cluster_state:ok.
class RedisClusterServers
{
public:
    // Empty on success, otherwise why not.
    QString start(int count)
    {
        if (!m_dir.isValid())
            return QStringLiteral("no temporary directory");
        const QString cli = QStandardPaths::findExecutable(QStringLiteral("redis-cli"));
        if (cli.isEmpty())
            return QStringLiteral("redis-cli not found (Debian: apt install redis-tools)");
        QStringList create{QStringLiteral("--cluster"), QStringLiteral("create")};
        for (int i = 0; i < count; ++i) {
            m_nodes.push_back(std::make_unique<RedisServer>());
            const QString error = m_nodes.back()->start(arguments(i));
            if (!error.isEmpty())
                return error;
            create.append(QStringLiteral("127.0.0.1:%1").arg(m_nodes.back()->port()));
        }
        create += {QStringLiteral("--cluster-replicas"), QStringLiteral("0"),
                   QStringLiteral("--cluster-yes")};
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(cli, create);
        if (!process.waitForFinished(30'000) || process.exitCode() != 0)
            return QStringLiteral("redis-cli --cluster create failed: ") +
                   QString::fromLocal8Bit(process.readAll());
        return awaitOk();
    }

    // Kills node `index`; restart() brings it back on its port with its nodes.conf, and so
    // into the cluster.
    void stop(int index) { m_nodes.at(size_t(index))->stop(); }
    QString restart(int index)
    {
        if (const QString error = m_nodes.at(size_t(index))->start(arguments(index));
            !error.isEmpty())
            return error;
        return awaitOk();
    }

    int count() const { return int(m_nodes.size()); }
    quint16 port(int index) const { return m_nodes.at(size_t(index))->port(); }

    // redis-cli's raw output of one command on the node at `port`.
    static QByteArray run(quint16 port, const QStringList &command)
    {
        QProcess process;
        process.start(QStandardPaths::findExecutable(QStringLiteral("redis-cli")),
                      QStringList{QStringLiteral("-p"), QString::number(port)} + command);
        process.waitForFinished(10'000);
        return process.readAllStandardOutput();
    }

    // Moves `slot`, with its keys, from the master at `from` to the one at `to`, as a
    // resharding does (IMPORTING, MIGRATING, MIGRATE of each key, then NODE on the new owner,
    // the old one and the others); false when a step is refused.
    bool moveSlot(int slot, quint16 from, quint16 to) const
    {
        const auto ok = [](const QByteArray &reply) { return reply.startsWith("OK"); };
        const auto cluster = [](const QStringList &rest) {
            return QStringList{QStringLiteral("CLUSTER")} + rest;
        };
        const QString fromId =
            QString::fromUtf8(run(from, cluster({QStringLiteral("MYID")})).trimmed());
        const QString toId =
            QString::fromUtf8(run(to, cluster({QStringLiteral("MYID")})).trimmed());
        const QString number = QString::number(slot);
        const QString setSlot = QStringLiteral("SETSLOT");
        if (!ok(run(to, cluster({setSlot, number, QStringLiteral("IMPORTING"), fromId}))) ||
            !ok(run(from, cluster({setSlot, number, QStringLiteral("MIGRATING"), toId}))))
            return false;
        const QList<QByteArray> keys =
            run(from, cluster({QStringLiteral("GETKEYSINSLOT"), number, QStringLiteral("100")}))
                .trimmed()
                .split('\n');
        for (const QByteArray &key : keys) {
            if (!key.isEmpty() &&
                !ok(run(from,
                        {QStringLiteral("MIGRATE"), QStringLiteral("127.0.0.1"),
                         QString::number(to), QString(), QStringLiteral("0"),
                         QStringLiteral("5000"), QStringLiteral("KEYS"), QString::fromUtf8(key)})))
                return false;
        }
        QList<quint16> ports{to, from};
        for (const auto &node : m_nodes) {
            if (!ports.contains(node->port()))
                ports.append(node->port());
        }
        for (const quint16 port : ports) {
            if (!ok(run(port, cluster({setSlot, number, QStringLiteral("NODE"), toId}))))
                return false;
        }
        return true;
    }

private:
    QStringList arguments(int index) const
    {
        return {QStringLiteral("--cluster-enabled"), QStringLiteral("yes"),
                QStringLiteral("--cluster-config-file"),
                m_dir.filePath(QStringLiteral("nodes-%1.conf").arg(index))};
    }
    QString awaitOk() const
    {
        const bool ok = QTest::qWaitFor(
            [this] {
                for (const auto &node : m_nodes) {
                    if (!run(node->port(), {QStringLiteral("CLUSTER"), QStringLiteral("INFO")})
                             .contains("cluster_state:ok"))
                        return false;
                }
                return true;
            },
            20'000);
        return ok ? QString() : QStringLiteral("the cluster did not reach cluster_state:ok");
    }

    QTemporaryDir m_dir;
    std::vector<std::unique_ptr<RedisServer>> m_nodes;
};
