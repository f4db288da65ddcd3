// The Inspector: a live view of a Socket.IO server instrumented with the Admin UI protocol
// (our Server, or Node's with @socket.io/admin-ui).
//   socketio-inspector [URL] [--namespace /admin] [--path /socket.io] [--username U]
//                      [--password P] [--websocket-only] [--screenshot FILE --after MS]
#include "connectdialog.h"
#include "mainwindow.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QTimer>
#include <QtWidgets/QApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("socketio-inspector"));
    QApplication::setOrganizationName(QStringLiteral("SocketIO"));
    QApplication::setApplicationDisplayName(QStringLiteral("Socket.IO Inspector"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Inspects a Socket.IO server through the Admin UI protocol."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("url"),
                                 QStringLiteral("The server, e.g. http://localhost:3000: "
                                                "connects at once."));
    const QCommandLineOption nsp(QStringLiteral("namespace"),
                                 QStringLiteral("The admin namespace (default /admin)."),
                                 QStringLiteral("nsp"), QStringLiteral("/admin"));
    const QCommandLineOption path(QStringLiteral("path"),
                                  QStringLiteral("The Socket.IO path (default /socket.io)."),
                                  QStringLiteral("path"), QStringLiteral("/socket.io"));
    const QCommandLineOption username(QStringLiteral("username"),
                                      QStringLiteral("Basic auth user name."),
                                      QStringLiteral("name"));
    const QCommandLineOption password(QStringLiteral("password"),
                                      QStringLiteral("Basic auth password."),
                                      QStringLiteral("password"));
    const QCommandLineOption websocketOnly(QStringLiteral("websocket-only"),
                                           QStringLiteral("Connect over WebSocket only."));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Render the window into this PNG file and exit."), QStringLiteral("file"));
    const QCommandLineOption after(QStringLiteral("after"),
                                   QStringLiteral("Milliseconds before the screenshot "
                                                  "(default 3000)."),
                                   QStringLiteral("ms"), QStringLiteral("3000"));
    const QCommandLineOption tab(QStringLiteral("tab"),
                                 QStringLiteral("The tab shown first (0: dashboard)."),
                                 QStringLiteral("index"), QStringLiteral("0"));
    parser.addOptions({nsp, path, username, password, websocketOnly, screenshot, after, tab});
    parser.process(app);

    Inspector::MainWindow window;
    window.tabs()->setCurrentIndex(parser.value(tab).toInt());
    window.show();

    const QStringList positional = parser.positionalArguments();
    if (!positional.isEmpty()) {
        const QString url = positional.first();
        Inspector::ConnectionSettings settings = Inspector::ConnectDialog::recentSettings(url);
        settings.url = QUrl::fromUserInput(url);
        // http://host:3000/custom-admin names the namespace too, as the UI's URL field does.
        const QString urlPath = settings.url.path();
        settings.adminNamespace =
            !parser.isSet(nsp) && urlPath.size() > 1 ? urlPath : parser.value(nsp);
        settings.url.setPath(QString());
        settings.path = parser.value(path);
        settings.websocketOnly = parser.isSet(websocketOnly);
        if (parser.isSet(username))
            settings.username = parser.value(username);
        if (parser.isSet(password)) {
            settings.password = parser.value(password);
            settings.sessionId.clear();
        }
        window.connectTo(settings);
    } else if (!parser.isSet(screenshot)) {
        window.showConnectDialog();
    }

    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        QTimer::singleShot(parser.value(after).toInt(), &window, [&window, file] {
            const bool saved = window.grab().save(file, "PNG");
            if (!saved)
                std::fprintf(stderr, "cannot write %s\n", qPrintable(file));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return app.exec();
}
