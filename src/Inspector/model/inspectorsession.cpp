#include "inspectorsession.h"

#include "namespacesmodel.h"
#include "optionsmodel.h"
#include "roomsmodel.h"
#include "serversmodel.h"
#include "socketsmodel.h"
#include "statsmodel.h"
#include "trafficmodel.h"

#include <SocketIO/clientsocket.h>
#include <SocketIO/manager.h>

#include <QtCore/QDateTime>
#include <QtCore/QLoggingCategory>
#include <QtCore/QMetaEnum>

Q_LOGGING_CATEGORY(lcInspector, "socketio.inspector")

namespace Inspector {

namespace {

// A protocol timestamp: an ISO string from the default parser (a JS Date's toJSON()), a
// number of msecs, or missing (the UI then takes the current time).
QDateTime timeOf(const QVariantList &args, int at)
{
    if (at < args.size()) {
        const QVariant v = args.at(at);
        if (v.typeId() == QMetaType::QString) {
            QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
            if (t.isValid())
                return t;
        } else if (v.canConvert<qint64>() && v.toLongLong() > 0) {
            return QDateTime::fromMSecsSinceEpoch(v.toLongLong(), Qt::UTC);
        }
    }
    return QDateTime::currentDateTimeUtc();
}

QString arg(const QVariantList &args, int at)
{
    return at < args.size() ? args.at(at).toString() : QString();
}

} // namespace

InspectorSession::InspectorSession(QObject *parent)
    : QObject(parent)
    , m_servers(new ServersModel(this))
    , m_stats(new StatsModel(this))
    , m_namespaces(new NamespacesModel(this))
    , m_sockets(new SocketsModel(this))
    , m_rooms(new RoomsModel(this))
    , m_traffic(new TrafficModel(this))
    , m_options(new OptionsModel(this))
{
    m_rooms->setSocketsModel(m_sockets);
}

InspectorSession::~InspectorSession()
{
    close();
}

QString InspectorSession::featureName(Feature feature)
{
    static const char *const names[] = {"EMIT",      "JOIN",   "LEAVE",       "DISCONNECT",
                                        "MJOIN",     "MLEAVE", "MDISCONNECT", "AGGREGATED_EVENTS",
                                        "ALL_EVENTS"};
    return QLatin1String(names[int(feature)]);
}

bool InspectorSession::hasFeature(Feature feature) const
{
    return m_features.contains(featureName(feature));
}

bool InspectorSession::isReadonly() const
{
    return !hasFeature(Feature::Emit) && !hasFeature(Feature::Join) &&
           !hasFeature(Feature::Leave) && !hasFeature(Feature::Disconnect);
}

bool InspectorSession::isDevelopmentMode() const
{
    // As the official UI decides.
    return hasFeature(Feature::AllEvents) || !hasFeature(Feature::AggregatedEvents);
}

QString InspectorSession::transportName() const
{
    return m_manager ? m_manager->transportName() : QString();
}

void InspectorSession::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void InspectorSession::clearModels()
{
    m_servers->clear();
    m_stats->clear();
    m_namespaces->clear();
    m_sockets->clear();
    m_traffic->clear();
    m_options->clear();
}

void InspectorSession::open(const ConnectionSettings &settings)
{
    close();
    m_settings = settings;
    m_error.clear();
    clearModels();

    SocketIO::ManagerOptions options;
    options.path = settings.path.isEmpty() ? QStringLiteral("/socket.io") : settings.path;
    options.forceNew = true;
    options.withCredentials = true;
    if (settings.websocketOnly)
        options.transports = {QStringLiteral("websocket")};
    QUrl base = settings.url;
    base.setPath(QString());
    m_manager = new SocketIO::Manager(base, options, this);

    SocketIO::SocketOptions socketOptions;
    // Asked on each (re)connection: the session id once the server gave one.
    socketOptions.authCallback = [this](std::function<void(const QVariantMap &)> done) {
        if (!m_settings.sessionId.isEmpty()) {
            done({{QStringLiteral("sessionId"), m_settings.sessionId}});
            return;
        }
        done({{QStringLiteral("username"), m_settings.username},
              {QStringLiteral("password"), m_settings.password}});
    };
    const QString nsp =
        settings.adminNamespace.isEmpty() ? QStringLiteral("/admin") : settings.adminNamespace;
    m_socket = m_manager->socket(nsp.startsWith(u'/') ? nsp : u'/' + nsp, socketOptions);

    connect(m_socket, &SocketIO::ClientSocket::connected, this,
            [this] { setState(State::Connected); });
    connect(m_socket, &SocketIO::ClientSocket::disconnected, this, [this](const QString &reason) {
        qCDebug(lcInspector) << "disconnected:" << reason;
        setState(m_socket && m_socket->isActive() ? State::Connecting : State::Disconnected);
    });
    connect(m_socket, &SocketIO::ClientSocket::connectError, this, [this](const QString &message) {
        m_error = message;
        const bool refused = message == u"invalid credentials";
        if (refused) {
            // A stale session id (the server restarted) or wrong credentials.
            if (!m_settings.sessionId.isEmpty()) {
                m_settings.sessionId.clear();
                Q_EMIT sessionIdChanged(QString());
            }
            if (m_manager)
                m_manager->close();
            setState(State::Disconnected);
        }
        Q_EMIT errorOccurred(message);
        if (refused)
            Q_EMIT authenticationFailed();
    });
    connect(m_manager, &SocketIO::Manager::errorOccurred, this, [this](const QString &message) {
        m_error = message;
        Q_EMIT errorOccurred(message);
    });
    connect(m_manager, &SocketIO::Manager::reconnectFailed, this,
            [this] { setState(State::Disconnected); });
    connect(m_socket, &SocketIO::ClientSocket::eventReceived, this,
            [this](const QString &event, const QVariantList &args) { handleEvent(event, args); });

    setState(State::Connecting);
    m_socket->connectToServer();
}

void InspectorSession::close()
{
    if (m_manager) {
        SocketIO::Manager *manager = m_manager;
        m_manager = nullptr;
        m_socket = nullptr;
        manager->disconnect(this);
        const auto sockets = manager->findChildren<SocketIO::ClientSocket *>();
        for (SocketIO::ClientSocket *socket : sockets)
            socket->disconnect(this);
        manager->close();
        manager->deleteLater();
    }
    setState(State::Disconnected);
}

void InspectorSession::handleEvent(const QString &event, const QVariantList &args)
{
    if (event == u"server_stats") {
        const QVariantMap stats = args.value(0).toMap();
        m_servers->updateStats(stats);
        m_stats->addStats(stats);
        m_namespaces->updateStats(stats);
    } else if (event == u"socket_connected") {
        m_sockets->addSocket(args.value(0).toMap(), timeOf(args, 1));
    } else if (event == u"socket_updated") {
        m_sockets->updateSocket(args.value(0).toMap());
    } else if (event == u"socket_disconnected") {
        m_sockets->removeSocket(arg(args, 0), arg(args, 1));
    } else if (event == u"room_joined") {
        m_sockets->joinRoom(arg(args, 0), arg(args, 1), arg(args, 2));
    } else if (event == u"room_left") {
        m_sockets->leaveRoom(arg(args, 0), arg(args, 1), arg(args, 2));
    } else if (event == u"event_received" || event == u"event_sent") {
        m_traffic->addEvent(event == u"event_received" ? TrafficModel::Dir::In
                                                       : TrafficModel::Dir::Out,
                            arg(args, 0), arg(args, 1), args.value(2).toList(), timeOf(args, 3));
    } else if (event == u"all_sockets") {
        m_sockets->resetSockets(args.value(0).toList());
    } else if (event == u"config") {
        const QStringList features =
            args.value(0).toMap().value(QStringLiteral("supportedFeatures")).toStringList();
        if (features != m_features) {
            m_features = features;
            Q_EMIT featuresChanged(features);
        }
    } else if (event == u"session") {
        const QString id = arg(args, 0);
        if (id != m_settings.sessionId) {
            m_settings.sessionId = id;
            Q_EMIT sessionIdChanged(id);
        }
    } else if (event == u"server_options") {
        const QVariantMap options = args.value(0).toMap();
        m_options->setServerOptions(options);
        Q_EMIT serverOptionsReceived(options);
    } else {
        qCDebug(lcInspector) << "unknown admin event" << event;
    }
    Q_EMIT eventReceived(event, args);
}

bool InspectorSession::canCommand(Feature feature, const QString &nsp, const QString &filter) const
{
    if (!hasFeature(feature))
        return false;
    // One socket (filtered by its own room) needs the basic feature only; the whole
    // namespace or a room needs the socket.io 4 multi-socket one as well, as in the UI.
    if (!filter.isEmpty() && m_sockets->row(nsp, filter) >= 0)
        return true;
    switch (feature) {
    case Feature::Join:
        return hasFeature(Feature::MJoin);
    case Feature::Leave:
        return hasFeature(Feature::MLeave);
    case Feature::Disconnect:
        return hasFeature(Feature::MDisconnect);
    default:
        return true;
    }
}

bool InspectorSession::command(Feature feature, const QString &event, const QVariantList &args)
{
    const QString nsp = args.value(0).toString();
    const QString filter =
        feature == Feature::Emit ? args.value(1).toString() : args.value(2).toString();
    if (!m_socket || m_state != State::Connected || !canCommand(feature, nsp, filter))
        return false;
    return m_socket->emitEvent(event, args);
}

bool InspectorSession::joinRoom(const QString &nsp, const QString &room, const QString &filter)
{
    QVariantList args{nsp, room};
    if (!filter.isEmpty())
        args.append(filter);
    return command(Feature::Join, QStringLiteral("join"), args);
}

bool InspectorSession::leaveRoom(const QString &nsp, const QString &room, const QString &filter)
{
    QVariantList args{nsp, room};
    if (!filter.isEmpty())
        args.append(filter);
    return command(Feature::Leave, QStringLiteral("leave"), args);
}

bool InspectorSession::disconnectSockets(const QString &nsp, bool close, const QString &filter)
{
    QVariantList args{nsp, close};
    if (!filter.isEmpty())
        args.append(filter);
    return command(Feature::Disconnect, QStringLiteral("_disconnect"), args);
}

bool InspectorSession::emitEvent(const QString &nsp, const QString &filter, const QString &event,
                                 const QVariantList &args)
{
    // The filter's place is kept with null when there is none: (nsp, filter, ev, ...args).
    QVariantList all{nsp, filter.isEmpty() ? QVariant::fromValue(nullptr) : QVariant(filter),
                     event};
    all.append(args);
    return command(Feature::Emit, QStringLiteral("emit"), all);
}

} // namespace Inspector
