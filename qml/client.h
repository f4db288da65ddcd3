#pragma once

#include "jssocket.h"

#include <SocketIO/clientsocket.h>
#include <SocketIO/manager.h>

#include <QtCore/QPointer>
#include <QtCore/QUrl>
#include <QtQml/QQmlParserStatus>

Q_MOC_INCLUDE("emitter.h")

namespace SocketIO {

class QmlEmitter;

// SocketIOClient: a Socket.IO client socket on one namespace, declared in QML.
//
//     SocketIOClient {
//         url: "http://localhost:3000"
//         onConnected: emit("hello", "world", reply => console.log(reply))
//         Component.onCompleted: on("news", (item, ack) => ack("thanks"))
//     }
//
// Each instance has its own connection (the reference's forceNew). The properties named
// like socket.io-client's options take effect at the next connection: changing one while
// active reconnects. `options` takes any other option by its reference name.
class QmlClient : public SocketIO::QmlSocketBase, public QQmlParserStatus
{
    Q_OBJECT
    QML_NAMED_ELEMENT(SocketIOClient)
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(QUrl url READ url WRITE setUrl NOTIFY urlChanged)
    Q_PROPERTY(QString path READ path WRITE setPath NOTIFY pathChanged)
    Q_PROPERTY(QString namespace READ nsp WRITE setNsp NOTIFY namespaceChanged)
    Q_PROPERTY(QVariantMap auth READ auth WRITE setAuth NOTIFY authChanged)
    Q_PROPERTY(QVariantMap query READ query WRITE setQuery NOTIFY queryChanged)
    Q_PROPERTY(
        QVariantMap extraHeaders READ extraHeaders WRITE setExtraHeaders NOTIFY extraHeadersChanged)
    Q_PROPERTY(QStringList transports READ transports WRITE setTransports NOTIFY transportsChanged)
    Q_PROPERTY(bool reconnection READ reconnection WRITE setReconnection NOTIFY reconnectionChanged)
    Q_PROPERTY(int reconnectionAttempts READ reconnectionAttempts WRITE setReconnectionAttempts
                   NOTIFY reconnectionAttemptsChanged)
    Q_PROPERTY(int reconnectionDelay READ reconnectionDelay WRITE setReconnectionDelay NOTIFY
                   reconnectionDelayChanged)
    Q_PROPERTY(int reconnectionDelayMax READ reconnectionDelayMax WRITE setReconnectionDelayMax
                   NOTIFY reconnectionDelayMaxChanged)
    Q_PROPERTY(double randomizationFactor READ randomizationFactor WRITE setRandomizationFactor
                   NOTIFY randomizationFactorChanged)
    // The reference's `timeout` option: timeout() is the method of one emit.
    Q_PROPERTY(int connectionTimeout READ connectionTimeout WRITE setConnectionTimeout NOTIFY
                   connectionTimeoutChanged)
    Q_PROPERTY(int ackTimeout READ ackTimeout WRITE setAckTimeout NOTIFY ackTimeoutChanged)
    Q_PROPERTY(int retries READ retries WRITE setRetries NOTIFY retriesChanged)
    Q_PROPERTY(QString parser READ parser WRITE setParser NOTIFY parserChanged)
    Q_PROPERTY(QVariantMap options READ options WRITE setOptions NOTIFY optionsChanged)
    Q_PROPERTY(bool active READ isActive WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(Status status READ status NOTIFY statusChanged)
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)
    Q_PROPERTY(QString id READ id NOTIFY idChanged)
    Q_PROPERTY(bool recovered READ isRecovered NOTIFY recoveredChanged)
    Q_PROPERTY(QString transport READ transport NOTIFY transportChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorStringChanged)
    // The library's objects behind it, while a url is set: the connection (state, engineId,
    // transportName) and the namespace's socket.
    Q_PROPERTY(SocketIO::Manager *manager READ manager NOTIFY managerChanged)
    Q_PROPERTY(SocketIO::ClientSocket *socket READ socket NOTIFY managerChanged)
public:
    enum Status { Disconnected, Connecting, Connected };
    Q_ENUM(Status)

    explicit QmlClient(QObject *parent = nullptr);
    ~QmlClient() override;

    QUrl url() const;
    void setUrl(const QUrl &url);
    QString path() const;
    void setPath(const QString &path);
    QString nsp() const;
    void setNsp(const QString &nsp);
    QVariantMap auth() const;
    void setAuth(const QVariantMap &auth);
    QVariantMap query() const;
    void setQuery(const QVariantMap &query);
    QVariantMap extraHeaders() const;
    void setExtraHeaders(const QVariantMap &headers);
    QStringList transports() const;
    void setTransports(const QStringList &transports);
    bool reconnection() const;
    void setReconnection(bool reconnection);
    int reconnectionAttempts() const;
    void setReconnectionAttempts(int attempts);
    int reconnectionDelay() const;
    void setReconnectionDelay(int delay);
    int reconnectionDelayMax() const;
    void setReconnectionDelayMax(int delay);
    double randomizationFactor() const;
    void setRandomizationFactor(double factor);
    int connectionTimeout() const;
    void setConnectionTimeout(int timeout);
    int ackTimeout() const;
    void setAckTimeout(int timeout);
    int retries() const;
    void setRetries(int retries);
    QString parser() const;
    void setParser(const QString &parser);
    QVariantMap options() const;
    void setOptions(const QVariantMap &options);
    bool isActive() const;
    void setActive(bool active);

    Status status() const;
    bool isConnected() const;
    QString id() const;
    bool isRecovered() const;
    QString transport() const;
    QString errorString() const;

    // active = true / false, as methods (the reference's connect() and disconnect()).
    Q_INVOKABLE void open();
    Q_INVOKABLE void close();
    // Flags for one emit: client.timeout(5000).emit("ev", (err, reply) => ...).
    Q_INVOKABLE SocketIO::QmlEmitter *timeout(int milliseconds) const;
    Q_INVOKABLE SocketIO::QmlEmitter *compress(bool compress) const;
    Q_INVOKABLE SocketIO::QmlEmitter *asVolatile() const;

    Manager *manager() const;
    ClientSocket *socket() const;

    void classBegin() override;
    void componentComplete() override;

Q_SIGNALS:
    void urlChanged();
    void pathChanged();
    void namespaceChanged();
    void authChanged();
    void queryChanged();
    void extraHeadersChanged();
    void transportsChanged();
    void reconnectionChanged();
    void reconnectionAttemptsChanged();
    void reconnectionDelayChanged();
    void reconnectionDelayMaxChanged();
    void randomizationFactorChanged();
    void connectionTimeoutChanged();
    void ackTimeoutChanged();
    void retriesChanged();
    void parserChanged();
    void optionsChanged();
    void activeChanged();
    void statusChanged();
    void connectedChanged();
    void idChanged();
    void recoveredChanged();
    void transportChanged();
    void errorStringChanged();
    void managerChanged();

    // The reference's socket events and Manager events.
    void connected();
    void disconnected(const QString &reason, const QString &description);
    void connectError(const QString &message, const QVariant &data);
    void reconnectAttempt(int attempt);
    void reconnected(int attempt);
    void reconnectError(const QString &message);
    void reconnectFailed();

protected:
    AckStyle ackStyle() const override;
    bool send(const QString &event, const QVariantList &args, QObject *context,
              SocketIO::AckCallback callback) override;
    bool sendForPromise(const QString &event, const QVariantList &args, QObject *context,
                        SocketIO::AckCallback callback) override;

private:
    void setOption(const QString &name, const QVariant &value, void (QmlClient::*changed)());
    QVariant option(const QString &name, const QVariant &fallback) const;
    void scheduleRestart();
    void start();
    void stop();
    void refreshState();
    void setErrorString(const QString &error);

    QUrl m_url;
    QString m_nsp;
    QVariantMap m_explicit; // the option properties that were set, by reference name
    QVariantMap m_options;
    bool m_active = true;
    bool m_complete = false;
    bool m_restartPending = false;
    QPointer<Manager> m_manager;
    QPointer<ClientSocket> m_socket;
    // Read back after each change, to emit exactly the NOTIFY signals that apply.
    Status m_status = Disconnected;
    QString m_id;
    bool m_recovered = false;
    QString m_transport;
    QString m_errorString;
};

} // namespace SocketIO
