#pragma once

#include "model/inspectorsession.h"

#include <QtWidgets/QMainWindow>

QT_BEGIN_NAMESPACE
class QAction;
class QCheckBox;
class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QTreeView;
class QXYSeries;
QT_END_NAMESPACE

namespace Inspector {

class TrafficFilterModel;
class VariantTreeModel;

// The Inspector's window: tabs over the session's models (dashboard with servers, namespaces
// and charts; sockets with their detail; rooms; traffic; options) and the command actions.
// The widgets only show the models and turn actions into InspectorSession commands.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    InspectorSession *session() const { return m_session; }
    void connectTo(const ConnectionSettings &settings);
    // Opens the connect dialog (with `message` above it); connects when accepted.
    void showConnectDialog(const QString &message = {});

    // For tests and screenshots.
    QTabWidget *tabs() const { return m_tabs; }
    QTableView *socketsView() const { return m_socketsView; }
    QTreeView *roomsView() const { return m_roomsView; }
    QTableView *trafficView() const { return m_trafficView; }
    QList<QXYSeries *> chartSeries() const { return m_series; }
    QList<QAction *> commandActions() const;
    QAction *joinAction() const { return m_join; }
    QAction *leaveAction() const { return m_leave; }
    QAction *disconnectAction() const { return m_disconnect; }
    QAction *closeAction() const { return m_disconnectClose; }
    QAction *emitAction() const { return m_emit; }

private:
    QWidget *createDashboard();
    QWidget *createSocketsTab();
    QWidget *createRoomsTab();
    QWidget *createTrafficTab();
    QWidget *createOptionsTab();
    QChartView *createChart(const QString &title, const QList<int> &columns);
    void updateAxes();
    void updateActions();
    void updateStatus();
    void showSocketDetail();
    // The selected socket's namespace and id; empty when none.
    QPair<QString, QString> selectedSocket() const;
    // The selected room's namespace and name, and the selected member (or empty).
    QStringList selectedRoom() const;
    void joinSelected();
    void leaveSelected();
    void disconnectSelected(bool close);
    // Asks for an event name and its JSON arguments; false when cancelled or invalid.
    bool askEvent(const QString &target, QString *event, QVariantList *args);
    void emitToSelected();
    void roomLeave();
    void roomDisconnect();
    void roomEmit();
    void exportTraffic();

    InspectorSession *m_session;
    QTabWidget *m_tabs = nullptr;
    QTableView *m_socketsView = nullptr;
    QSortFilterProxyModel *m_socketsProxy = nullptr;
    VariantTreeModel *m_detailModel = nullptr;
    QTreeView *m_detailView = nullptr;
    QTreeView *m_roomsView = nullptr;
    QSortFilterProxyModel *m_roomsProxy = nullptr;
    QTableView *m_trafficView = nullptr;
    TrafficFilterModel *m_trafficProxy = nullptr;
    QLabel *m_optionsPlaceholder = nullptr;
    QList<QChart *> m_charts;
    QList<QXYSeries *> m_series;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_featuresLabel = nullptr;
    QAction *m_join = nullptr;
    QAction *m_leave = nullptr;
    QAction *m_disconnect = nullptr;
    QAction *m_disconnectClose = nullptr;
    QAction *m_emit = nullptr;
    QAction *m_roomLeave = nullptr;
    QAction *m_roomDisconnect = nullptr;
    QAction *m_roomEmit = nullptr;
};

} // namespace Inspector
