// The scoreboard example: a QML app hosting a Socket.IO server that phones connect to with a
// browser page. Main.qml does everything; this program loads it from its resources and tells
// it the port and where the official browser client is.
//
//   scoreboard [--port 3000] [--client-dir DIR]
#include <QtCore/QCommandLineParser>
#include <QtCore/QDir>
#include <QtCore/QUrl>
#include <QtGui/QGuiApplication>
#include <QtQml/QQmlApplicationEngine>

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("scoreboard"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A scoreboard that phones join over Socket.IO"));
    parser.addHelpOption();
    const QCommandLineOption port(QStringLiteral("port"),
                                  QStringLiteral("The port to listen on (0: a free one)."),
                                  QStringLiteral("port"), QStringLiteral("3000"));
    const QCommandLineOption clientDir(
        QStringLiteral("client-dir"),
        QStringLiteral("Where socket.io.js is (npm ci in examples/scoreboard/web)."),
        QStringLiteral("dir"), QStringLiteral(SCOREBOARD_CLIENT_DIR));
    parser.addOptions({port, clientDir});
    parser.process(app);

    QQmlApplicationEngine engine;
    // Qt 6.4 has no loadFromModule(): the module's files are under qrc:/qt/qml, and the SocketIO
    // module is in the build tree until it is installed beside Qt's.
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
#ifdef SCOREBOARD_QML_IMPORT_DIR
    if (QDir(QStringLiteral(SCOREBOARD_QML_IMPORT_DIR)).exists())
        engine.addImportPath(QStringLiteral(SCOREBOARD_QML_IMPORT_DIR));
#endif
    engine.setInitialProperties({
        {QStringLiteral("port"), parser.value(port).toInt()},
        {QStringLiteral("clientDirectory"), QUrl::fromLocalFile(parser.value(clientDir))},
    });
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app,
        [] { QCoreApplication::exit(1); }, Qt::QueuedConnection);
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Scoreboard/Main.qml")));
    return app.exec();
}
