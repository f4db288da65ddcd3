// The QML module's Qt Quick Test suite: the tst_*.qml files next to this one, run with
// `-input` pointing here (ctest `qml`). The setup adds <build>/qml to the import path (the
// uninstalled `import SocketIO`), starts Node's socket.io 4.8 server once for every file
// (context property `nodeServer`, a NodeServer) and registers `import SocketIOTest` with
// NodeServer (for other configurations) and NodeClient (Node socket.io-client sockets).

#include "nodepeers.h"

#include <QtCore/qtestsupport_core.h>
#include <QtQml/QQmlContext>
#include <QtQml/QQmlEngine>
#include <QtQml/qqml.h>
#include <QtQuickTest/quicktest.h>

class Setup : public QObject
{
    Q_OBJECT
public Q_SLOTS:
    void applicationAvailable()
    {
        qmlRegisterType<NodeClient>("SocketIOTest", 1, 0, "NodeClient");
        qmlRegisterType<NodeServer>("SocketIOTest", 1, 0, "NodeServer");
        m_nodeServer.start();
        // Before any test file runs: the data rows read nodeServer.url. Tests that use it
        // check nodeServer.running and fail with nodeServer.errorString.
        if (!QTest::qWaitFor([this] { return !m_nodeServer.isStarting(); }, 15000))
            qWarning("sio-server.mjs did not print its port within 15 s");
    }

    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral(QML_IMPORT_DIR));
        engine->rootContext()->setContextProperty(QStringLiteral("nodeServer"), &m_nodeServer);
    }

    void cleanupTestCase() { m_nodeServer.stopAndWait(); }

private:
    NodeServer m_nodeServer;
};

QUICK_TEST_MAIN_WITH_SETUP(qml, Setup)

#include "tst_qml.moc"
