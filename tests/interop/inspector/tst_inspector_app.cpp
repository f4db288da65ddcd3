// The Inspector app under the offscreen platform with Node's instrumented server
// (node/admin-server.mjs) and N real clients: the sockets table, the charts, the rooms and
// traffic views, the actions gated by the server's features, and the --screenshot PNG.
#include "adminserver.h"

#include "connectdialog.h"
#include "mainwindow.h"
#include "model/socketsmodel.h"

#include <QtCharts/QXYSeries>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtGui/QAction>
#include <QtGui/QImage>
#include <QtWidgets/QApplication>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QTabWidget>
#include <QtWidgets/QTableView>
#include <QtWidgets/QTreeView>

using namespace Inspector;

class tst_InspectorApp : public QObject
{
    Q_OBJECT

private:
    static int pointCount(const MainWindow &window)
    {
        int n = 0;
        for (const QXYSeries *series : window.chartSeries())
            n += series->count();
        return n;
    }
    // Selects the first row of the sockets table whose namespace is `nsp`.
    static bool selectSocket(const MainWindow &window, const QString &nsp)
    {
        QAbstractItemModel *model = window.socketsView()->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row, 0).data(SocketsModel::NamespaceRole).toString() == nsp) {
                window.socketsView()->selectRow(row);
                return true;
            }
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // recent servers go to a test location
        verifyNodeSetup(QStringLiteral(INTEROP_NODE_EXECUTABLE), QStringLiteral(INTEROP_NODE_DIR),
                        QStringLiteral("@socket.io/admin-ui"));
    }

    void viewsShowTheServer()
    {
        constexpr int clients = 4;
        AdminServer server;
        QVERIFY2(server.start({}, clients), qPrintable(server.peer.log()));
        MainWindow window;
        window.show();
        ConnectionSettings settings;
        settings.url = server.url();
        window.connectTo(settings);

        // The sockets table: the N clients and the admin socket.
        QTableView *sockets = window.socketsView();
        QTRY_COMPARE_WITH_TIMEOUT(sockets->model()->rowCount(), clients + 1, 10000);
        // The charts get points from server_stats (every 2 s).
        QTRY_VERIFY_WITH_TIMEOUT(pointCount(window) > 0, 6000);

        // The filter.
        auto *filter = window.findChild<QLineEdit *>(QStringLiteral("socketsFilter"));
        QVERIFY(filter);
        filter->setText(QStringLiteral("/admin"));
        QCOMPARE(sockets->model()->rowCount(), 1);
        filter->clear();
        QCOMPARE(sockets->model()->rowCount(), clients + 1);

        // Selecting a client socket: its detail, and every command enabled.
        for (QAction *action : window.commandActions().mid(0, 5))
            QVERIFY(!action->isEnabled());
        QVERIFY(selectSocket(window, QStringLiteral("/")));
        auto *detail = window.findChild<QTreeView *>(QStringLiteral("socketDetail"));
        QVERIFY(detail && detail->model()->rowCount() > 0);
        for (QAction *action : window.commandActions().mid(0, 5))
            QVERIFY2(action->isEnabled(), qPrintable(action->text()));

        // Rooms: room-0..2; the private rooms are hidden.
        QTRY_COMPARE(window.roomsView()->model()->rowCount(), 3);
        // Traffic: a new client's "hello" and its echo.
        QVERIFY(server.command("connect 1"));
        QTRY_COMPARE(sockets->model()->rowCount(), clients + 2);
        QTRY_COMPARE(window.trafficView()->model()->rowCount(), 2);

        // An action reaches the server: the selected socket is disconnected.
        QVERIFY(selectSocket(window, QStringLiteral("/")));
        window.disconnectAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(sockets->model()->rowCount(), clients + 1, 5000);
    }

    void readonlyDisablesActions()
    {
        AdminServer server;
        QVERIFY2(server.start({QStringLiteral("--readonly")}, 2), qPrintable(server.peer.log()));
        MainWindow window;
        window.show();
        ConnectionSettings settings;
        settings.url = server.url();
        window.connectTo(settings);
        QTRY_COMPARE_WITH_TIMEOUT(window.socketsView()->model()->rowCount(), 3, 10000);
        QTRY_VERIFY(window.session()->isReadonly());
        QVERIFY(selectSocket(window, QStringLiteral("/")));
        window.tabs()->setCurrentIndex(2);
        window.roomsView()->setCurrentIndex(window.roomsView()->model()->index(0, 0));
        window.roomsView()->selectionModel()->select(window.roomsView()->model()->index(0, 0),
                                                     QItemSelectionModel::ClearAndSelect |
                                                         QItemSelectionModel::Rows);
        for (QAction *action : window.commandActions())
            QVERIFY2(!action->isEnabled(), qPrintable(action->text()));
    }

    // A wrong password re-opens the login with the server's message; the right one connects.
    void invalidCredentialsReopenTheLogin()
    {
        AdminServer server;
        QVERIFY2(server.start({QStringLiteral("--username"), QStringLiteral("admin"),
                               QStringLiteral("--password-hash"),
                               QString::fromLatin1(adminPasswordHash)},
                              1),
                 qPrintable(server.peer.log()));
        MainWindow window;
        window.show();
        ConnectionSettings settings;
        settings.url = server.url();
        settings.username = QStringLiteral("admin");
        settings.password = QStringLiteral("wrong");
        window.connectTo(settings);
        ConnectDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (dialog = window.findChild<ConnectDialog *>()) && dialog->isVisible(), 10000);
        auto *message = dialog->findChild<QLabel *>(QStringLiteral("message"));
        QVERIFY(message);
        QCOMPARE(message->text(), QStringLiteral("invalid credentials"));
        QCOMPARE(dialog->settings().url, server.url());
        QCOMPARE(dialog->settings().username, QStringLiteral("admin"));
        QVERIFY(dialog->settings().password.isEmpty());

        settings.password = QStringLiteral("changeit");
        dialog->setSettings(settings);
        dialog->accept();
        QTRY_COMPARE_WITH_TIMEOUT(window.session()->state(), InspectorSession::State::Connected,
                                  10000);
        QTRY_COMPARE(window.socketsView()->model()->rowCount(), 2);
        QTRY_VERIFY(!window.session()->sessionId().isEmpty());
        // Remembered for the next start.
        QCOMPARE(ConnectDialog::recentSettings(server.url().toString()).sessionId,
                 window.session()->sessionId());
    }

    void screenshot()
    {
        AdminServer server;
        QVERIFY2(server.start({}, 3), qPrintable(server.peer.log()));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath(QStringLiteral("inspector.png"));
        QProcess app;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
        app.setProcessEnvironment(env);
        app.setProcessChannelMode(QProcess::MergedChannels);
        app.start(QStringLiteral(INSPECTOR_EXECUTABLE),
                  {QStringLiteral("-platform"), QStringLiteral("offscreen"),
                   server.url().toString(), QStringLiteral("--screenshot"), file,
                   QStringLiteral("--after"), QStringLiteral("2500")});
        QSignalSpy finished(&app, &QProcess::finished);
        QTRY_VERIFY_WITH_TIMEOUT(finished.size() == 1, 30000);
        QVERIFY2(app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0,
                 app.readAll().constData());
        QImage image;
        QVERIFY(image.load(file, "PNG"));
        QVERIFY(image.width() > 0 && image.height() > 0);
        // Not one flat colour: the window was drawn.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY(colours.size() > 10);
    }
};

QTEST_MAIN(tst_InspectorApp)
#include "tst_inspector_app.moc"
