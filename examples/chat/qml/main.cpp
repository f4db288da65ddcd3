// The chat's Qt Quick client: loads Main.qml (the ChatQml module) with the server's URL and a
// nickname. With --screenshot it saves the window once logged in, and quits.
//
//   chat-qml [--url http://localhost:3000] [--name NICK] [--screenshot FILE]
#include <QtCore/QCommandLineParser>
#include <QtCore/QDir>
#include <QtCore/QTimer>
#include <QtCore/QUrl>
#include <QtGui/QGuiApplication>
#include <QtGui/QImage>
#include <QtQml/QQmlApplicationEngine>
#include <QtQuick/QQuickWindow>

#include <cstdio>
#include <memory>
#include <utility>

namespace {
// Saves the window's next frame once it is logged in (or after `timeoutMs` anyway), then quits
// with 0 if it was logged in and saved.
void screenshotWhenLoggedIn(QQuickWindow *window, const QString &file, int timeoutMs)
{
    auto done = std::make_shared<bool>(false);
    const auto take = [window, file, done] {
        if (std::exchange(*done, true))
            return;
        const bool loggedIn = window->property("loggedIn").toBool();
        const bool saved = window->grabWindow().save(file);
        std::printf("%s %s (%s)\n", saved ? "screenshot" : "cannot write screenshot",
                    qPrintable(file), loggedIn ? "logged in" : "not logged in");
        std::fflush(stdout);
        QCoreApplication::exit(saved && loggedIn ? 0 : 1);
    };
    QObject::connect(window, &QQuickWindow::frameSwapped, window, [window, take] {
        if (window->property("loggedIn").toBool())
            QTimer::singleShot(0, window, take);
    });
    QTimer::singleShot(timeoutMs, window, take);
}
} // namespace

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("chat-qml"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The Qt Socket.IO chat, in Qt Quick"));
    parser.addHelpOption();
    const QCommandLineOption urlOption(QStringLiteral("url"), QStringLiteral("The chat server."),
                                       QStringLiteral("url"),
                                       QStringLiteral("http://localhost:3000"));
    const QCommandLineOption nameOption(QStringLiteral("name"),
                                        QStringLiteral("Log in with this nickname at once."),
                                        QStringLiteral("nick"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Save the window to this file once logged in, and quit."),
        QStringLiteral("file"));
    parser.addOptions({urlOption, nameOption, screenshotOption});
    parser.process(app);

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
#ifdef SOCKETIO_QML_IMPORT_DIR
    // `import SocketIO` from the build tree; an installed module is on Qt's own import path.
    if (QDir(QStringLiteral(SOCKETIO_QML_IMPORT_DIR)).exists())
        engine.addImportPath(QStringLiteral(SOCKETIO_QML_IMPORT_DIR));
#endif
    engine.setInitialProperties({
        {QStringLiteral("serverUrl"), QUrl::fromUserInput(parser.value(urlOption))},
        {QStringLiteral("nickname"), parser.value(nameOption)},
    });
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/ChatQml/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;

    if (parser.isSet(screenshotOption)) {
        auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
        if (!window)
            return 1;
        screenshotWhenLoggedIn(window, parser.value(screenshotOption), 20'000);
    }
    return app.exec();
}
