// The main example: a chat. One program starts the chat server (a SocketIO::Server that also
// serves the browser page and the official client bundle), and, when there is a display, a
// Widgets chat client and the Inspector opened on the server (instrumented on /admin), and with
// --qml the Qt Quick client (chat-qml) too. With no display it starts the server only, prints the
// page's URL and the Inspector command, and keeps running.
//
//   chat [--port 3000] [--client-dir DIR] [--inspector PATH] [--nickname NAME] [--qml]
//        [--headless]
#include "chatserver.h"
#include "chatwindow.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QDir>
#include <QtCore/QFileInfo>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtWidgets/QApplication>

#include <cstdio>
#include <memory>

namespace {
bool hasDisplay()
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN) && !defined(Q_OS_ANDROID)
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
#else
    return true;
#endif
}

bool hasArgument(int argc, char *argv[], const char *name)
{
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], name) == 0)
            return true;
    }
    return false;
}

// A program installed beside this one, or at `built` (its path in the build tree), or on PATH.
QString findProgram(const QString &name, const QString &built = {})
{
    const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(name);
    if (QFileInfo(beside).isExecutable())
        return beside;
    if (!built.isEmpty() && QFileInfo(built).isExecutable())
        return built;
    return QStandardPaths::findExecutable(name);
}

QString findInspector(const QString &given)
{
    if (!given.isEmpty())
        return given;
#ifdef CHAT_INSPECTOR_PATH
    return findProgram(QStringLiteral("socketio-inspector"), QStringLiteral(CHAT_INSPECTOR_PATH));
#else
    return findProgram(QStringLiteral("socketio-inspector"));
#endif
}

// Started with its output forwarded, and stopped when the chat ends.
class Child
{
public:
    ~Child()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            m_process.waitForFinished(3000);
        }
    }
    void start(const QString &program, const QStringList &arguments)
    {
        m_process.setProcessChannelMode(QProcess::ForwardedChannels);
        m_process.start(program, arguments);
    }

private:
    QProcess m_process;
};
} // namespace

int main(int argc, char *argv[])
{
    const bool headless = hasArgument(argc, argv, "--headless") || !hasDisplay();
    std::unique_ptr<QCoreApplication> app(headless ? new QCoreApplication(argc, argv)
                                                   : new QApplication(argc, argv));
    QCoreApplication::setApplicationName(QStringLiteral("chat"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The Qt Socket.IO chat example"));
    parser.addHelpOption();
    const QCommandLineOption portOption(QStringLiteral("port"),
                                        QStringLiteral("Port to listen on (0: a free one)."),
                                        QStringLiteral("port"), QStringLiteral("3000"));
    const QCommandLineOption clientDirOption(
        QStringLiteral("client-dir"),
        QStringLiteral("socket.io-client's dist/ folder, served to the page."),
        QStringLiteral("dir"), QStringLiteral(CHAT_CLIENT_DIR));
    const QCommandLineOption inspectorOption(QStringLiteral("inspector"),
                                             QStringLiteral("The socketio-inspector program."),
                                             QStringLiteral("path"));
    const QCommandLineOption nicknameOption(QStringLiteral("nickname"),
                                            QStringLiteral("The Widgets client's nickname."),
                                            QStringLiteral("name"), QStringLiteral("Qt"));
    const QCommandLineOption qmlOption(
        QStringLiteral("qml"), QStringLiteral("Also start the Qt Quick client (chat-qml)."));
    const QCommandLineOption headlessOption(QStringLiteral("headless"),
                                            QStringLiteral("No windows, the server only."));
    parser.addOptions(
        {portOption, clientDirOption, inspectorOption, nicknameOption, qmlOption, headlessOption});
    parser.process(*app);

    bool ok = false;
    const uint port = parser.value(portOption).toUInt(&ok);
    if (!ok || port > 65535) {
        std::fprintf(stderr, "chat: --port takes a number from 0 to 65535\n");
        return 2;
    }
    const QString clientDir = parser.value(clientDirOption);
    if (!QFileInfo::exists(QDir(clientDir).filePath(QStringLiteral("socket.io.js"))))
        std::fprintf(stderr,
                     "chat: no socket.io.js in %s; the page will not load its client "
                     "(run npm ci in examples/chat/web, or pass --client-dir)\n",
                     qPrintable(clientDir));

    ChatServer server(clientDir);
    if (!server.listen(quint16(port))) {
        std::fprintf(stderr, "chat: cannot listen on port %u: %s\n", port,
                     qPrintable(server.errorString()));
        return 1;
    }
    const QString url = QStringLiteral("http://localhost:%1/").arg(server.port());
    const QString inspector = findInspector(parser.value(inspectorOption));
    std::printf("Chat server listening: open %s in a browser\n", qPrintable(url));
    if (!inspector.isEmpty())
        std::printf("Inspector: %s %s\n", qPrintable(inspector), qPrintable(url));
    std::fflush(stdout);

    std::unique_ptr<ChatWindow> window;
    Child inspectorProcess;
    Child qmlClient;
    if (!headless) {
        window = std::make_unique<ChatWindow>(QUrl(url), parser.value(nicknameOption));
        window->show();
        if (!inspector.isEmpty())
            inspectorProcess.start(inspector, {url});
        if (parser.isSet(qmlOption)) {
#ifdef CHAT_QML_PATH
            const QString chatQml =
                findProgram(QStringLiteral("chat-qml"), QStringLiteral(CHAT_QML_PATH));
#else
            const QString chatQml = findProgram(QStringLiteral("chat-qml"));
#endif
            if (chatQml.isEmpty())
                std::fprintf(stderr, "chat: no chat-qml beside chat or on PATH (it is built "
                                     "when Qt Quick is found)\n");
            else
                qmlClient.start(chatQml, {QStringLiteral("--url"), url, QStringLiteral("--name"),
                                          parser.value(nicknameOption) + QStringLiteral("-qml")});
        }
    }
    return app->exec();
}
