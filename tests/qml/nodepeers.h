// Real Node peers for the QML tests: Node's socket.io 4.8 server (tests/interop/node/
// sio-server.mjs) and socket.io-client sockets (tests/interop/node/admin-peers.mjs), run as
// child processes that print one JSON object per line.
#pragma once

#include <QtCore/QObject>
#include <QtCore/QProcess>
#include <QtCore/QVariant>

// The Node server. One is shared by every test file (context property `nodeServer`), started
// by the test's setup on a free port; restart() stops it and starts it again on the same port,
// for the reconnection tests. Tests that need another configuration create their own:
//     NodeServer { config: { recovery: true } }   ... start(), tryVerify running
// `config` is sio-server.mjs's JSON config; its port is 0 the first time, then the last one.
class NodeServer : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QVariantMap config MEMBER m_config NOTIFY configChanged)
    Q_PROPERTY(bool running READ isRunning NOTIFY runningChanged)
    Q_PROPERTY(int port READ port NOTIFY runningChanged)
    Q_PROPERTY(QString url READ url NOTIFY runningChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY runningChanged)
public:
    explicit NodeServer(QObject *parent = nullptr);
    ~NodeServer() override;

    bool isRunning() const;
    // The process runs but has not printed its port yet.
    bool isStarting() const;
    int port() const;
    QString url() const;
    // Why the server is not running, with the end of its output.
    QString errorString() const;

    // Starts the process (on the last port, or a free one the first time); running turns true
    // once it printed its port.
    Q_INVOKABLE void start();
    // SIGTERM, then start() on the same port once the process has exited.
    Q_INVOKABLE void restart();
    // SIGTERM and wait: the end of the test run.
    void stopAndWait();

Q_SIGNALS:
    void configChanged();
    void runningChanged();

private:
    void readOutput();
    void setRunning(bool running);

    QProcess m_process;
    QVariantMap m_config;
    QByteArray m_buffer;
    QByteArray m_tail; // the last lines printed, for errorString
    int m_port = 0;
    bool m_running = false;
    bool m_restartPending = false;
    QString m_error;
};

// Node socket.io-client sockets connecting to `url` (+ namespace), for "a broadcast from the QML
// server reaches a Node client":
//     NodeClient { id: peer; url: server.url; count: 2 }   ... peer.start()
// connected(index, id) per socket, received(index, name, args) per incoming event,
// disconnected(index, reason). Binary arrives as {type: "Buffer", data: [bytes]}.
class NodeClient : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString url MEMBER m_url NOTIFY urlChanged)
    Q_PROPERTY(QString namespace MEMBER m_nsp NOTIFY namespaceChanged)
    Q_PROPERTY(int count MEMBER m_count NOTIFY countChanged)
    Q_PROPERTY(int connectedCount READ connectedCount NOTIFY connectedCountChanged)
    Q_PROPERTY(QString log READ log)
public:
    explicit NodeClient(QObject *parent = nullptr);
    ~NodeClient() override;

    int connectedCount() const;
    QString log() const;

    Q_INVOKABLE void start();
    // Socket `index` emits (event, ...args): args must be JSON.
    Q_INVOKABLE void emitFrom(int index, const QString &event, const QVariantList &args);

Q_SIGNALS:
    void urlChanged();
    void namespaceChanged();
    void countChanged();
    void connectedCountChanged();
    void connected(int index, const QString &id);
    void received(int index, const QString &name, const QVariantList &args);
    void disconnected(int index, const QString &reason);
    void failed(const QString &error);

private:
    void readOutput();

    QProcess m_process;
    QByteArray m_buffer;
    QByteArray m_log;
    QString m_url;
    QString m_nsp = QStringLiteral("/");
    int m_count = 1;
    int m_connected = 0;
};
