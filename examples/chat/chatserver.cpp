#include "chatserver.h"

#include <SocketIO/Instrumentation>
#include <SocketIO/Namespace>
#include <SocketIO/Socket>

#include <QtCore/QFile>

using namespace SocketIO;

namespace {
constexpr int MaxNameLength = 32;
constexpr int MaxMessageLength = 2000;
const QString Username = QStringLiteral("username");
const QString Room = QStringLiteral("room");

ServerOptions chatOptions(const QString &clientDirectory)
{
    ServerOptions options;
    options.clientDirectory = clientDirectory;
    // Chat messages are small: refuse anything past 64 KiB instead of the 1 MB default.
    options.engine.maxHttpBufferSize = 64 * 1024;
    return options;
}

QString nameOf(const Socket *socket)
{
    return socket->data().value(Username).toString();
}
} // namespace

const QStringList ChatServer::Rooms = {QStringLiteral("general"), QStringLiteral("qt"),
                                       QStringLiteral("random")};

ChatServer::ChatServer(const QString &clientDirectory, QObject *parent)
    : QObject(parent)
    , m_io(chatOptions(clientDirectory))
{
    // The page itself; everything under /socket.io/ is the server's.
    m_io.engine()->setRequestHandler(this, [](const HttpRequest &request, HttpResponse &response) {
        if (request.path() != QLatin1String("/") && request.path() != QLatin1String("/index.html"))
            return false;
        QFile page(QStringLiteral(":/chat/index.html"));
        if (!page.open(QIODevice::ReadOnly))
            return false;
        response.setHeader("Content-Type", "text/html; charset=utf-8");
        response.setBody(page.readAll());
        return true;
    });
    connect(&m_io, &Server::connection, this, &ChatServer::accept);
    // The Inspector (and the official Admin UI) see the server through /admin. No password:
    // this is a demo on your machine; a deployed server sets Auth::Basic and a bcrypt hash.
    InstrumentOptions admin;
    admin.auth = InstrumentOptions::Auth::None;
    Instrumentation::instrument(&m_io, admin);
}

bool ChatServer::listen(quint16 port)
{
    return m_io.listen(QHostAddress::Any, port);
}

int ChatServer::usersIn(const QString &room) const
{
    int count = 0;
    const QList<Socket *> sockets = m_io.sockets()->sockets();
    for (const Socket *socket : sockets)
        count += socket->rooms().contains(room) ? 1 : 0;
    return count;
}

void ChatServer::moveTo(Socket *socket, const QString &room)
{
    QVariantMap data = socket->data();
    const QString previous = data.value(Room).toString();
    if (!previous.isEmpty()) {
        socket->leave(previous);
        socket->to(previous).emitEvent(QStringLiteral("user left"),
                                       {QVariantMap{{Username, nameOf(socket)},
                                                    {Room, previous},
                                                    {QStringLiteral("users"), usersIn(previous)}}});
    }
    socket->join(room);
    data.insert(Room, room);
    socket->setData(data);
    socket->to(room).emitEvent(QStringLiteral("user joined"),
                               {QVariantMap{{Username, nameOf(socket)},
                                            {Room, room},
                                            {QStringLiteral("users"), usersIn(room)}}});
}

void ChatServer::accept(Socket *socket)
{
    socket->on(QStringLiteral("login"), this,
               [this, socket](const QVariantList &args, const Ack &ack) {
                   const QString name = args.value(0).toString().trimmed();
                   if (name.isEmpty() || name.size() > MaxNameLength || !nameOf(socket).isEmpty()) {
                       if (ack.isValid())
                           ack({QVariantMap{
                               {QStringLiteral("error"),
                                QStringLiteral("pick a nickname of 1 to 32 characters, once")}}});
                       return;
                   }
                   QVariantMap data = socket->data();
                   data.insert(Username, name);
                   socket->setData(data);
                   moveTo(socket, Rooms.first());
                   if (ack.isValid())
                       ack({QVariantMap{{Room, Rooms.first()},
                                        {QStringLiteral("rooms"), Rooms},
                                        {QStringLiteral("users"), usersIn(Rooms.first())}}});
               });
    socket->on(QStringLiteral("switch room"), this,
               [this, socket](const QVariantList &args, const Ack &ack) {
                   const QString room = args.value(0).toString();
                   if (!nameOf(socket).isEmpty() && Rooms.contains(room) &&
                       socket->data().value(Room) != room)
                       moveTo(socket, room);
                   if (ack.isValid())
                       ack({QVariantMap{{Room, socket->data().value(Room)},
                                        {QStringLiteral("users"),
                                         usersIn(socket->data().value(Room).toString())}}});
               });
    socket->on(QStringLiteral("new message"), this,
               [socket](const QVariantList &args, const Ack &ack) {
                   const QString text = args.value(0).toString();
                   const bool ok = !nameOf(socket).isEmpty() && !text.isEmpty() &&
                                   text.size() <= MaxMessageLength;
                   if (ok) {
                       const QString room = socket->data().value(Room).toString();
                       socket->to(room).emitEvent(QStringLiteral("new message"),
                                                  {QVariantMap{{Username, nameOf(socket)},
                                                               {QStringLiteral("message"), text},
                                                               {Room, room}}});
                   }
                   if (ack.isValid())
                       ack({QVariantMap{{QStringLiteral("ok"), ok}}});
               });
    for (const QString &event : {QStringLiteral("typing"), QStringLiteral("stop typing")}) {
        socket->on(event, this, [socket, event](const QVariantList &, const Ack &) {
            if (!nameOf(socket).isEmpty())
                socket->to(socket->data().value(Room).toString())
                    .emitEvent(event, {QVariantMap{{Username, nameOf(socket)}}});
        });
    }
    connect(socket, &Socket::disconnecting, this, [this, socket] {
        const QString room = socket->data().value(Room).toString();
        if (room.isEmpty())
            return;
        // Still in the room while disconnecting: the count leaves this socket out.
        socket->to(room).emitEvent(QStringLiteral("user left"),
                                   {QVariantMap{{Username, nameOf(socket)},
                                                {Room, room},
                                                {QStringLiteral("users"), usersIn(room) - 1}}});
    });
}
