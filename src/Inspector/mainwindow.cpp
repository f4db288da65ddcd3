#include "mainwindow.h"

#include "connectdialog.h"
#include "model/namespacesmodel.h"
#include "model/optionsmodel.h"
#include "model/roomsmodel.h"
#include "model/serversmodel.h"
#include "model/socketsmodel.h"
#include "model/statsmodel.h"
#include "model/trafficmodel.h"
#include "model/varianttreemodel.h"

#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QDateTimeAxis>
#include <QtCharts/QLineSeries>
#include <QtCharts/QVXYModelMapper>
#include <QtCharts/QValueAxis>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QSortFilterProxyModel>
#include <QtWidgets/QApplication>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QFileDialog>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QInputDialog>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QMenuBar>
#include <QtWidgets/QMessageBox>
#include <QtWidgets/QSplitter>
#include <QtWidgets/QStatusBar>
#include <QtWidgets/QTabWidget>
#include <QtWidgets/QTableView>
#include <QtWidgets/QToolBar>
#include <QtWidgets/QTreeView>
#include <QtWidgets/QVBoxLayout>

namespace Inspector {

namespace {

// Hides the private rooms (a socket's own room) unless asked to show them.
class RoomsFilter : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setShowPrivate(bool show)
    {
        m_showPrivate = show;
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        if (parent.isValid() || m_showPrivate)
            return true;
        return !sourceModel()->index(row, 0, parent).data(RoomsModel::PrivateRole).toBool();
    }

private:
    bool m_showPrivate = false;
};

QTableView *tableView(QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    view->setAlternatingRowColors(true);
    return view;
}

// Event arguments typed as a JSON array's contents: `"a", 1, {"b": 2}`.
bool parseArguments(const QString &text, QVariantList *args)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(u'[' + text.toUtf8() + u']', &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray())
        return false;
    *args = doc.array().toVariantList();
    return true;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_session(new InspectorSession(this))
{
    setWindowTitle(tr("Socket.IO Inspector"));

    m_join = new QAction(tr("Join room…"), this);
    m_leave = new QAction(tr("Leave room…"), this);
    m_disconnect = new QAction(tr("Disconnect"), this);
    m_disconnect->setToolTip(tr("Disconnect the socket from its namespace"));
    m_disconnectClose = new QAction(tr("Close connection"), this);
    m_disconnectClose->setToolTip(tr("Disconnect the socket and close its connection"));
    m_emit = new QAction(tr("Emit…"), this);
    m_roomLeave = new QAction(tr("Clear room"), this);
    m_roomLeave->setToolTip(tr("Make every member leave the room, or the selected member"));
    m_roomDisconnect = new QAction(tr("Disconnect members"), this);
    m_roomEmit = new QAction(tr("Emit to room…"), this);
    connect(m_join, &QAction::triggered, this, &MainWindow::joinSelected);
    connect(m_leave, &QAction::triggered, this, &MainWindow::leaveSelected);
    connect(m_disconnect, &QAction::triggered, this, [this] { disconnectSelected(false); });
    connect(m_disconnectClose, &QAction::triggered, this, [this] { disconnectSelected(true); });
    connect(m_emit, &QAction::triggered, this, &MainWindow::emitToSelected);
    connect(m_roomLeave, &QAction::triggered, this, &MainWindow::roomLeave);
    connect(m_roomDisconnect, &QAction::triggered, this, &MainWindow::roomDisconnect);
    connect(m_roomEmit, &QAction::triggered, this, &MainWindow::roomEmit);

    QMenu *file = menuBar()->addMenu(tr("&Server"));
    file->addAction(tr("&Connect…"), QKeySequence::Open, this, [this] { showConnectDialog(); });
    file->addAction(tr("&Disconnect"), this, [this] { m_session->close(); });
    file->addAction(tr("Remove unhealthy servers"), this,
                    [this] { m_session->servers()->removeUnhealthy(); });
    file->addSeparator();
    file->addAction(tr("&Export traffic…"), this, &MainWindow::exportTraffic);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);

    m_tabs = new QTabWidget(this);
    m_tabs->addTab(createDashboard(), tr("Dashboard"));
    m_tabs->addTab(createSocketsTab(), tr("Sockets"));
    m_tabs->addTab(createRoomsTab(), tr("Rooms"));
    m_tabs->addTab(createTrafficTab(), tr("Traffic"));
    m_tabs->addTab(createOptionsTab(), tr("Options"));
    setCentralWidget(m_tabs);

    m_stateLabel = new QLabel(this);
    m_featuresLabel = new QLabel(this);
    statusBar()->addWidget(m_stateLabel, 1);
    statusBar()->addPermanentWidget(m_featuresLabel);

    connect(m_session, &InspectorSession::stateChanged, this, [this] {
        updateStatus();
        updateActions();
    });
    connect(m_session, &InspectorSession::featuresChanged, this, [this] {
        updateStatus();
        updateActions();
    });
    connect(m_session, &InspectorSession::errorOccurred, this, [this] { updateStatus(); });
    connect(m_session, &InspectorSession::sessionIdChanged, this, [this](const QString &id) {
        ConnectDialog::rememberSession(m_session->settings().url, id);
    });
    connect(m_session, &InspectorSession::authenticationFailed, this, [this] {
        // Queued: not from inside the socket's signal.
        QMetaObject::invokeMethod(
            this, [this] { showConnectDialog(m_session->errorString()); }, Qt::QueuedConnection);
    });
    updateStatus();
    updateActions();
    resize(1100, 720);
}

MainWindow::~MainWindow() = default;

QWidget *MainWindow::createDashboard()
{
    auto *page = new QSplitter(Qt::Vertical, this);
    auto *tables = new QSplitter(Qt::Horizontal, page);
    auto *servers = tableView(m_session->servers(), tables);
    servers->setObjectName(QStringLiteral("serversView"));
    servers->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *namespaces = tableView(m_session->namespaces(), tables);
    namespaces->setObjectName(QStringLiteral("namespacesView"));
    namespaces->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    tables->addWidget(servers);
    tables->addWidget(namespaces);
    tables->setStretchFactor(0, 3);
    tables->setStretchFactor(1, 1);

    auto *charts = new QSplitter(Qt::Horizontal, page);
    charts->addWidget(
        createChart(tr("Clients and packets per second"),
                    {StatsModel::Clients, StatsModel::PacketsIn, StatsModel::PacketsOut}));
    charts->addWidget(
        createChart(tr("Bytes per second"), {StatsModel::BytesIn, StatsModel::BytesOut}));
    page->addWidget(tables);
    page->addWidget(charts);
    page->setStretchFactor(0, 1);
    page->setStretchFactor(1, 2);
    page->setSizes({220, 440});

    StatsModel *stats = m_session->stats();
    connect(stats, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateAxes);
    connect(stats, &QAbstractItemModel::dataChanged, this, &MainWindow::updateAxes);
    connect(stats, &QAbstractItemModel::modelReset, this, &MainWindow::updateAxes);
    return page;
}

QChartView *MainWindow::createChart(const QString &title, const QList<int> &columns)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto *x = new QDateTimeAxis(chart);
    x->setFormat(QStringLiteral("HH:mm:ss"));
    x->setTickCount(5);
    auto *y = new QValueAxis(chart);
    y->setLabelFormat(QStringLiteral("%d"));
    y->setRange(0, 1);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (int column : columns) {
        auto *series = new QLineSeries(chart);
        series->setName(m_session->stats()->headerData(column, Qt::Horizontal).toString());
        series->setPointsVisible(true);
        chart->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
        auto *mapper = new QVXYModelMapper(series);
        mapper->setXColumn(StatsModel::Time);
        mapper->setYColumn(column);
        mapper->setSeries(series);
        mapper->setModel(m_session->stats());
        m_series.append(series);
    }
    m_charts.append(chart);
    auto *view = new QChartView(chart, this);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return view;
}

void MainWindow::updateAxes()
{
    const StatsModel *stats = m_session->stats();
    const int rows = stats->rowCount();
    QDateTime from = QDateTime::currentDateTimeUtc().addSecs(-60);
    QDateTime to = QDateTime::currentDateTimeUtc();
    if (rows > 0) {
        from = stats->index(0, StatsModel::Time).data().toDateTime();
        to = stats->index(rows - 1, StatsModel::Time).data().toDateTime();
        if (from.secsTo(to) < 60)
            from = to.addSecs(-60);
    }
    for (QChart *chart : std::as_const(m_charts)) {
        qint64 max = 1;
        for (QAbstractSeries *series : chart->series()) {
            for (const QPointF &p : static_cast<QXYSeries *>(series)->points())
                max = std::max<qint64>(max, qint64(p.y()));
        }
        const auto xs = chart->axes(Qt::Horizontal);
        const auto ys = chart->axes(Qt::Vertical);
        if (!xs.isEmpty())
            static_cast<QDateTimeAxis *>(xs.first())
                ->setRange(from.toLocalTime(), to.toLocalTime());
        if (!ys.isEmpty())
            static_cast<QValueAxis *>(ys.first())->setRange(0, double(max) * 1.1 + 1);
    }
}

QWidget *MainWindow::createSocketsTab()
{
    auto *page = new QWidget(this);
    auto *bar = new QToolBar(page);
    auto *filter = new QLineEdit(page);
    filter->setObjectName(QStringLiteral("socketsFilter"));
    filter->setPlaceholderText(tr("Filter by id, namespace, transport, address, rooms…"));
    filter->setClearButtonEnabled(true);
    bar->addWidget(filter);
    bar->addSeparator();
    bar->addAction(m_join);
    bar->addAction(m_leave);
    bar->addAction(m_disconnect);
    bar->addAction(m_disconnectClose);
    bar->addAction(m_emit);

    m_socketsProxy = new QSortFilterProxyModel(this);
    m_socketsProxy->setSourceModel(m_session->sockets());
    m_socketsProxy->setFilterKeyColumn(-1);
    m_socketsProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_socketsProxy->setSortRole(Qt::EditRole);
    connect(filter, &QLineEdit::textChanged, m_socketsProxy,
            &QSortFilterProxyModel::setFilterFixedString);

    auto *split = new QSplitter(Qt::Horizontal, page);
    m_socketsView = tableView(m_socketsProxy, split);
    m_socketsView->setObjectName(QStringLiteral("socketsView"));
    m_socketsView->setSortingEnabled(true);
    m_socketsView->setWordWrap(false);
    m_socketsView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_socketsView->sortByColumn(SocketsModel::ConnectedSince, Qt::AscendingOrder);
    m_socketsView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_socketsView->addActions({m_join, m_leave, m_disconnect, m_disconnectClose, m_emit});
    m_detailModel = new VariantTreeModel(this);
    m_detailView = new QTreeView(split);
    m_detailView->setObjectName(QStringLiteral("socketDetail"));
    m_detailView->setModel(m_detailModel);
    m_detailView->setAlternatingRowColors(true);
    split->addWidget(m_socketsView);
    split->addWidget(m_detailView);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({760, 340});

    connect(m_socketsView->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        showSocketDetail();
        updateActions();
    });
    connect(m_session->sockets(), &QAbstractItemModel::dataChanged, this,
            &MainWindow::showSocketDetail);

    auto *layout = new QVBoxLayout(page);
    layout->addWidget(bar);
    layout->addWidget(split);
    return page;
}

void MainWindow::showSocketDetail()
{
    const QModelIndexList rows = m_socketsView->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        m_detailModel->setVariant({});
        return;
    }
    const QVariantMap socket = rows.first().data(SocketsModel::SocketRole).toMap();
    const QVariantMap handshake = socket.value(QStringLiteral("handshake")).toMap();
    QVariantMap detail;
    for (const char *key : {"id", "nsp", "clientId", "transport", "rooms", "data"})
        detail.insert(QLatin1String(key), socket.value(QLatin1String(key)));
    detail.insert(QStringLiteral("handshake"), handshake);
    m_detailModel->setVariant(detail);
    m_detailView->expand(m_detailModel->find({QStringLiteral("handshake")}));
}

QWidget *MainWindow::createRoomsTab()
{
    auto *page = new QWidget(this);
    auto *bar = new QToolBar(page);
    auto *showPrivate = new QCheckBox(tr("Show private rooms"), page);
    bar->addWidget(showPrivate);
    bar->addSeparator();
    bar->addAction(m_roomLeave);
    bar->addAction(m_roomDisconnect);
    bar->addAction(m_roomEmit);

    auto *proxy = new RoomsFilter(this);
    proxy->setSourceModel(m_session->rooms());
    m_roomsProxy = proxy;
    connect(showPrivate, &QCheckBox::toggled, proxy, &RoomsFilter::setShowPrivate);
    m_roomsView = new QTreeView(page);
    m_roomsView->setObjectName(QStringLiteral("roomsView"));
    m_roomsView->setModel(proxy);
    m_roomsView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_roomsView->addActions({m_roomLeave, m_roomDisconnect, m_roomEmit});
    connect(m_roomsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::updateActions);

    auto *layout = new QVBoxLayout(page);
    layout->addWidget(bar);
    layout->addWidget(m_roomsView);
    return page;
}

QWidget *MainWindow::createTrafficTab()
{
    auto *page = new QWidget(this);
    auto *bar = new QToolBar(page);
    auto *direction = new QComboBox(page);
    direction->addItems({tr("In and out"), tr("In"), tr("Out")});
    auto *nsp = new QComboBox(page);
    nsp->setEditable(true);
    nsp->lineEdit()->setPlaceholderText(tr("all namespaces"));
    nsp->setModel(m_session->namespaces());
    nsp->setCurrentIndex(-1);
    auto *search = new QLineEdit(page);
    search->setObjectName(QStringLiteral("trafficSearch"));
    search->setPlaceholderText(tr("Search events and arguments"));
    search->setClearButtonEnabled(true);
    auto *pause = new QAction(tr("Pause"), page);
    pause->setCheckable(true);
    bar->addWidget(direction);
    bar->addWidget(nsp);
    bar->addWidget(search);
    bar->addAction(pause);
    bar->addAction(tr("Clear"), m_session->traffic(), &TrafficModel::clear);
    bar->addAction(tr("Export…"), this, &MainWindow::exportTraffic);

    TrafficModel *traffic = m_session->traffic();
    m_trafficProxy = new TrafficFilterModel(this);
    m_trafficProxy->setSourceModel(traffic);
    connect(direction, &QComboBox::currentIndexChanged, m_trafficProxy,
            [this](int i) { m_trafficProxy->setDirections(TrafficFilterModel::Directions(i)); });
    connect(nsp, &QComboBox::currentTextChanged, m_trafficProxy, &TrafficFilterModel::setNamespace);
    connect(search, &QLineEdit::textChanged, m_trafficProxy, &TrafficFilterModel::setSearchText);
    connect(pause, &QAction::toggled, traffic, &TrafficModel::setPaused);

    m_trafficView = tableView(m_trafficProxy, page);
    m_trafficView->setObjectName(QStringLiteral("trafficView"));
    m_trafficView->setWordWrap(false);
    connect(m_trafficProxy, &QAbstractItemModel::rowsInserted, m_trafficView,
            [this] { m_trafficView->scrollToBottom(); });

    auto *layout = new QVBoxLayout(page);
    layout->addWidget(bar);
    layout->addWidget(m_trafficView);
    return page;
}

QWidget *MainWindow::createOptionsTab()
{
    auto *page = new QWidget(this);
    m_optionsPlaceholder = new QLabel(
        tr("This server does not publish its option settings (the server_options event of "
           "the Qt server; a Node server does not send it)."),
        page);
    m_optionsPlaceholder->setWordWrap(true);
    m_optionsPlaceholder->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    auto *view = tableView(m_session->options(), page);
    view->setObjectName(QStringLiteral("optionsView"));
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    const auto update = [this, view] {
        const bool empty = m_session->options()->rowCount() == 0;
        m_optionsPlaceholder->setVisible(empty);
        view->setVisible(!empty);
    };
    connect(m_session->options(), &QAbstractItemModel::modelReset, this, update);
    update();
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_optionsPlaceholder);
    layout->addWidget(view);
    return page;
}

QList<QAction *> MainWindow::commandActions() const
{
    return {m_join, m_leave,     m_disconnect,     m_disconnectClose,
            m_emit, m_roomLeave, m_roomDisconnect, m_roomEmit};
}

QPair<QString, QString> MainWindow::selectedSocket() const
{
    const QModelIndexList rows = m_socketsView->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    return {rows.first().data(SocketsModel::NamespaceRole).toString(),
            rows.first().data(SocketsModel::IdRole).toString()};
}

QStringList MainWindow::selectedRoom() const
{
    const QModelIndexList rows = m_roomsView->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    const QModelIndex i = rows.first();
    return {i.data(RoomsModel::NamespaceRole).toString(), i.data(RoomsModel::RoomRole).toString(),
            i.data(RoomsModel::SocketIdRole).toString()};
}

void MainWindow::updateActions()
{
    using F = InspectorSession::Feature;
    const bool connected = m_session->state() == InspectorSession::State::Connected;
    const auto [nsp, id] = selectedSocket();
    const bool socket = connected && !id.isEmpty();
    m_join->setEnabled(socket && m_session->canCommand(F::Join, nsp, id));
    m_leave->setEnabled(socket && m_session->canCommand(F::Leave, nsp, id));
    m_disconnect->setEnabled(socket && m_session->canCommand(F::Disconnect, nsp, id));
    m_disconnectClose->setEnabled(m_disconnect->isEnabled());
    m_emit->setEnabled(socket && m_session->canCommand(F::Emit, nsp, id));

    const QStringList room = selectedRoom();
    const bool hasRoom = connected && !room.isEmpty();
    const QString target = hasRoom ? (room.at(2).isEmpty() ? room.at(1) : room.at(2)) : QString();
    const QString roomNsp = hasRoom ? room.at(0) : QString();
    m_roomLeave->setEnabled(hasRoom && m_session->canCommand(F::Leave, roomNsp, target));
    m_roomLeave->setText(hasRoom && !room.at(2).isEmpty() ? tr("Remove from room")
                                                          : tr("Clear room"));
    m_roomDisconnect->setEnabled(hasRoom && m_session->canCommand(F::Disconnect, roomNsp, target));
    m_roomEmit->setEnabled(hasRoom && m_session->canCommand(F::Emit, roomNsp, target));
}

void MainWindow::updateStatus()
{
    const ConnectionSettings s = m_session->settings();
    const QString where = s.url.isEmpty() ? QString() : s.url.toString() + s.adminNamespace;
    switch (m_session->state()) {
    case InspectorSession::State::Disconnected:
        m_stateLabel->setText(m_session->errorString().isEmpty()
                                  ? tr("Not connected")
                                  : tr("Not connected: %1").arg(m_session->errorString()));
        break;
    case InspectorSession::State::Connecting:
        m_stateLabel->setText(tr("Connecting to %1…").arg(where));
        break;
    case InspectorSession::State::Connected:
        m_stateLabel->setText(tr("Connected to %1").arg(where));
        break;
    }
    if (m_session->features().isEmpty())
        m_featuresLabel->clear();
    else
        m_featuresLabel->setText(
            (m_session->isReadonly() ? tr("read-only") : tr("commands enabled")) +
            (m_session->isDevelopmentMode() ? tr(", development mode") : tr(", production mode")));
    setWindowTitle(where.isEmpty() ? tr("Socket.IO Inspector")
                                   : tr("%1 - Socket.IO Inspector").arg(where));
}

void MainWindow::connectTo(const ConnectionSettings &settings)
{
    ConnectDialog::remember(settings);
    m_session->open(settings);
}

void MainWindow::showConnectDialog(const QString &message)
{
    auto *dialog = new ConnectDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!m_session->settings().url.isEmpty()) {
        ConnectionSettings s = m_session->settings();
        s.password.clear();
        dialog->setSettings(s);
    }
    dialog->setMessage(message);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { connectTo(dialog->settings()); });
    dialog->open();
}

void MainWindow::joinSelected()
{
    const auto [nsp, id] = selectedSocket();
    bool ok = false;
    const QString room = QInputDialog::getText(
        this, tr("Join room"), tr("Room for socket %1:").arg(id), QLineEdit::Normal, {}, &ok);
    if (ok && !room.isEmpty())
        m_session->joinRoom(nsp, room, id);
}

void MainWindow::leaveSelected()
{
    const auto [nsp, id] = selectedSocket();
    const int row = m_session->sockets()->row(nsp, id);
    QStringList rooms = m_session->sockets()->rooms(row);
    rooms.removeAll(id);
    if (rooms.isEmpty()) {
        QMessageBox::information(this, tr("Leave room"), tr("The socket is in no other room."));
        return;
    }
    bool ok = false;
    const QString room = QInputDialog::getItem(
        this, tr("Leave room"), tr("Room socket %1 leaves:").arg(id), rooms, 0, false, &ok);
    if (ok)
        m_session->leaveRoom(nsp, room, id);
}

void MainWindow::disconnectSelected(bool close)
{
    const auto [nsp, id] = selectedSocket();
    m_session->disconnectSockets(nsp, close, id);
}

bool MainWindow::askEvent(const QString &target, QString *event, QVariantList *args)
{
    bool ok = false;
    *event = QInputDialog::getText(this, tr("Emit to %1").arg(target), tr("Event name:"),
                                   QLineEdit::Normal, {}, &ok);
    if (!ok || event->isEmpty())
        return false;
    const QString text = QInputDialog::getText(this, tr("Emit %1").arg(*event),
                                               tr("Arguments as JSON, comma-separated:"),
                                               QLineEdit::Normal, {}, &ok);
    if (!ok)
        return false;
    if (!parseArguments(text, args)) {
        QMessageBox::warning(this, tr("Emit"), tr("The arguments are not valid JSON."));
        return false;
    }
    return true;
}

void MainWindow::emitToSelected()
{
    const auto [nsp, id] = selectedSocket();
    QString event;
    QVariantList args;
    if (askEvent(id, &event, &args))
        m_session->emitEvent(nsp, id, event, args);
}

void MainWindow::roomLeave()
{
    const QStringList room = selectedRoom();
    if (!room.isEmpty())
        m_session->leaveRoom(room.at(0), room.at(1), room.at(2));
}

void MainWindow::roomDisconnect()
{
    const QStringList room = selectedRoom();
    if (!room.isEmpty())
        m_session->disconnectSockets(room.at(0), false,
                                     room.at(2).isEmpty() ? room.at(1) : room.at(2));
}

void MainWindow::roomEmit()
{
    const QStringList room = selectedRoom();
    if (room.isEmpty())
        return;
    const QString target = room.at(2).isEmpty() ? room.at(1) : room.at(2);
    QString event;
    QVariantList args;
    if (askEvent(target, &event, &args))
        m_session->emitEvent(room.at(0), target, event, args);
}

void MainWindow::exportTraffic()
{
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export traffic"), QStringLiteral("traffic.jsonl"),
                                     tr("JSON lines (*.jsonl *.ndjson)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        !m_session->traffic()->writeJsonLines(&file, m_trafficProxy->sourceRows())) {
        QMessageBox::warning(this, tr("Export traffic"),
                             tr("Cannot write %1: %2").arg(path, file.errorString()));
    }
}

} // namespace Inspector
