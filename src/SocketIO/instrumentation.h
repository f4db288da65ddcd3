#pragma once

#include "socketio_export.h"

#include <QtCore/QFuture>
#include <QtCore/QObject>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QStringList>

#include <memory>

namespace SocketIO {

class InstrumentationPrivate;
class Namespace;
class Server;

// Where the admin session ids handed out after a basic-auth login are kept (the reference's
// Store): the in-memory store by default, or one shared by the servers of a cluster.
class SOCKETIO_EXPORT InstrumentSessionStore
{
public:
    virtual ~InstrumentSessionStore();
    virtual QFuture<bool> doesSessionExist(const QString &sessionId) = 0;
    virtual void saveSession(const QString &sessionId) = 0;

    // A store that keeps the ids in this process for its lifetime.
    static std::shared_ptr<InstrumentSessionStore> inMemory();
};

class InstrumentOptionsExtension;

// The options of Instrumentation::instrument(), the reference's InstrumentOptions.
struct SOCKETIO_EXPORT InstrumentOptions
{
    InstrumentOptions();
    InstrumentOptions(const InstrumentOptions &other);
    InstrumentOptions(InstrumentOptions &&other) noexcept;
    InstrumentOptions &operator=(const InstrumentOptions &other);
    InstrumentOptions &operator=(InstrumentOptions &&other) noexcept;
    ~InstrumentOptions();

    enum class Auth {
        Unspecified, // refused: the reference wants auth stated explicitly
        None,        // `auth: false`
        Basic,       // username + bcrypt hash of the password
    };
    enum class Mode { Development, Production };

    QString namespaceName = QStringLiteral("/admin");
    Auth auth = Auth::Unspecified;
    QString username;
    QByteArray passwordHash; // "$2a$", "$2b$" or "$2y$" bcrypt hash
    bool readonly = false;
    QString serverId; // empty: the host name
    Mode mode = Mode::Development;
    std::shared_ptr<InstrumentSessionStore> store; // null: InstrumentSessionStore::inMemory()

    // Empty when usable; else the reference's error message.
    QString validate() const;

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<InstrumentOptionsExtension> m_extension;
};

// The server side of the Socket.IO Admin UI (the analog of @socket.io/admin-ui's
// instrument(io, options)): an admin namespace that reports the server's sockets, rooms,
// events and traffic, and takes the UI's commands. Owned by the Server.
class SOCKETIO_EXPORT Instrumentation : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString serverId READ serverId CONSTANT)
    Q_PROPERTY(QStringList supportedFeatures READ supportedFeatures CONSTANT)
public:
    // Instruments `server`; returns nullptr and sets `error` when the options are refused.
    static Instrumentation *instrument(Server *server, const InstrumentOptions &options,
                                       QString *error = nullptr);
    ~Instrumentation() override;

    InstrumentOptions options() const;
    Server *server() const;
    Namespace *adminNamespace() const;
    QString serverId() const;
    QStringList supportedFeatures() const;
    // The `server_options` object this server publishes to the admin clients (an extension
    // of the protocol: the engine and server option settings).
    QVariantMap serverOptions() const;

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    explicit Instrumentation(Server *server, const InstrumentOptions &options);
    Q_DECLARE_PRIVATE(Instrumentation)
    Q_DISABLE_COPY_MOVE(Instrumentation)
    std::unique_ptr<InstrumentationPrivate> const d_ptr;
};

} // namespace SocketIO
