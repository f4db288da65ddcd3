#pragma once

#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QStringList>
#include <QtCore/QUrl>
#include <QtCore/QVariantMap>

namespace SocketIO {
class ClientSocket;
class Manager;
} // namespace SocketIO

namespace Inspector {

class NamespacesModel;
class OptionsModel;
class RoomsModel;
class ServersModel;
class SocketsModel;
class StatsModel;
class TrafficModel;

// Where and how to connect: the admin namespace of a server speaking the Admin UI protocol
// (@socket.io/admin-ui 0.5.1, or ours).
struct ConnectionSettings
{
    QUrl url; // http(s)://host:port, without the namespace
    QString adminNamespace = QStringLiteral("/admin");
    QString path = QStringLiteral("/socket.io");
    QString username;
    QString password;
    bool websocketOnly = false;
    // A session id from an earlier login: sent as {sessionId} instead of the credentials.
    QString sessionId;
};

// One connection to a server's admin namespace: it owns the Manager and ClientSocket and
// turns the protocol's events into updates of its models, and its commands into events.
class InspectorSession : public QObject
{
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QStringList features READ features NOTIFY featuresChanged)
    Q_PROPERTY(QString sessionId READ sessionId NOTIFY sessionIdChanged)
public:
    enum class State { Disconnected, Connecting, Connected };
    Q_ENUM(State)
    // config.supportedFeatures.
    enum class Feature {
        Emit,
        Join,
        Leave,
        Disconnect,
        MJoin,
        MLeave,
        MDisconnect,
        AggregatedEvents,
        AllEvents
    };
    Q_ENUM(Feature)

    explicit InspectorSession(QObject *parent = nullptr);
    ~InspectorSession() override;

    void open(const ConnectionSettings &settings);
    void close();

    State state() const { return m_state; }
    ConnectionSettings settings() const { return m_settings; }
    QString sessionId() const { return m_settings.sessionId; }
    QStringList features() const { return m_features; }
    bool hasFeature(Feature feature) const;
    // No command is supported: the server was instrumented with readonly.
    bool isReadonly() const;
    // The server sends per-socket events (ALL_EVENTS, or an old server without features).
    bool isDevelopmentMode() const;
    QString errorString() const { return m_error; }
    // The transport of the admin connection ("polling" or "websocket").
    QString transportName() const;

    ServersModel *servers() const { return m_servers; }
    StatsModel *stats() const { return m_stats; }
    NamespacesModel *namespaces() const { return m_namespaces; }
    SocketsModel *sockets() const { return m_sockets; }
    RoomsModel *rooms() const { return m_rooms; }
    TrafficModel *traffic() const { return m_traffic; }
    OptionsModel *options() const { return m_options; }

    // The commands; `filter` is a room name (a socket id targets one socket), empty for the
    // whole namespace. False when not connected or the server lacks the feature.
    bool joinRoom(const QString &nsp, const QString &room, const QString &filter = {});
    bool leaveRoom(const QString &nsp, const QString &room, const QString &filter = {});
    bool disconnectSockets(const QString &nsp, bool close, const QString &filter = {});
    bool emitEvent(const QString &nsp, const QString &filter, const QString &event,
                   const QVariantList &args = {});

    // Whether the server supports the command `feature` (Join, Leave, Disconnect or Emit)
    // for that target, as the official UI decides.
    bool canCommand(Feature feature, const QString &nsp, const QString &filter) const;

    static QString featureName(Feature feature);

Q_SIGNALS:
    void stateChanged(Inspector::InspectorSession::State state);
    void featuresChanged(const QStringList &features);
    void sessionIdChanged(const QString &sessionId);
    // The server refused the credentials (or a stale session id): ask for them again.
    void authenticationFailed();
    void errorOccurred(const QString &message);
    // Each server_options extension event, after the options model took it.
    void serverOptionsReceived(const QVariantMap &options);
    // Every event of the admin namespace, after the models took it.
    void eventReceived(const QString &event, const QVariantList &args);

private:
    void setState(State state);
    void handleEvent(const QString &event, const QVariantList &args);
    bool command(Feature feature, const QString &event, const QVariantList &args);
    void clearModels();

    ConnectionSettings m_settings;
    State m_state = State::Disconnected;
    QStringList m_features;
    QString m_error;
    QPointer<SocketIO::Manager> m_manager;
    QPointer<SocketIO::ClientSocket> m_socket;
    ServersModel *m_servers;
    StatsModel *m_stats;
    NamespacesModel *m_namespaces;
    SocketsModel *m_sockets;
    RoomsModel *m_rooms;
    TrafficModel *m_traffic;
    OptionsModel *m_options;
};

} // namespace Inspector
