#include "nodepeers.h"

#include <QtCore/QDir>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace {

const QString nodeDir = QStringLiteral(INTEROP_NODE_DIR);
const QString nodeExecutable = QStringLiteral(INTEROP_NODE_EXECUTABLE);

// Why Node cannot run here, or an empty string.
QString nodeSetupError(const QString &module)
{
    if (nodeExecutable.isEmpty() || !QFileInfo(nodeExecutable).isExecutable())
        return QStringLiteral("no Node.js executable (NODE_EXECUTABLE=%1, found by CMake at "
                              "configure time): install Node.js >= 20 and re-run CMake")
            .arg(nodeExecutable);
    if (!QFileInfo(QDir(nodeDir).filePath(QStringLiteral("node_modules/") + module)).isDir())
        return QStringLiteral("%1/node_modules/%2 is missing: run `npm ci` in tests/interop/node")
            .arg(nodeDir, module);
    return {};
}

// Complete lines from `buffer`, which keeps the unfinished one.
QList<QByteArray> takeLines(QByteArray &buffer)
{
    QList<QByteArray> lines;
    qsizetype end;
    while ((end = buffer.indexOf('\n')) >= 0) {
        const QByteArray line = buffer.left(end).trimmed();
        buffer.remove(0, end + 1);
        if (!line.isEmpty())
            lines.append(line);
    }
    return lines;
}

void keepTail(QByteArray &tail, const QByteArray &line)
{
    tail += line.left(300) + '\n';
    if (tail.size() > 3000)
        tail = tail.right(3000);
}

} // namespace

NodeServer::NodeServer(QObject *parent)
    : QObject(parent)
{
    m_process.setProgram(nodeExecutable);
    m_process.setWorkingDirectory(nodeDir);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &NodeServer::readOutput);
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        m_error = QStringLiteral("node did not start: ") + m_process.errorString();
        setRunning(false);
    });
    connect(&m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
        m_error = QStringLiteral("sio-server.mjs exited with %1; its output:\n%2")
                      .arg(code)
                      .arg(QString::fromUtf8(m_tail));
        setRunning(false);
        if (m_restartPending) {
            m_restartPending = false;
            start();
        }
    });
}

NodeServer::~NodeServer()
{
    stopAndWait();
}

bool NodeServer::isRunning() const
{
    return m_running;
}

bool NodeServer::isStarting() const
{
    return !m_running && m_process.state() != QProcess::NotRunning;
}

int NodeServer::port() const
{
    return m_port;
}

QString NodeServer::url() const
{
    return m_port ? QStringLiteral("http://127.0.0.1:%1").arg(m_port) : QString();
}

QString NodeServer::errorString() const
{
    return m_running ? QString() : m_error;
}

void NodeServer::start()
{
    if (m_process.state() != QProcess::NotRunning)
        return;
    m_error = nodeSetupError(QStringLiteral("socket.io"));
    if (!m_error.isEmpty()) {
        Q_EMIT runningChanged();
        return;
    }
    m_error = QStringLiteral("sio-server.mjs is starting");
    m_buffer.clear();
    QJsonObject config = QJsonObject::fromVariantMap(m_config);
    config.insert(QStringLiteral("port"), m_port);
    m_process.setArguments(
        {QStringLiteral("sio-server.mjs"),
         QString::fromUtf8(QJsonDocument(config).toJson(QJsonDocument::Compact))});
    m_process.start();
}

void NodeServer::restart()
{
    if (m_process.state() == QProcess::NotRunning) {
        start();
        return;
    }
    m_restartPending = true;
    m_process.terminate();
}

void NodeServer::stopAndWait()
{
    m_restartPending = false;
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(3000)) { // teardown: the tests are over
        m_process.kill();
        m_process.waitForFinished(3000);
    }
}

void NodeServer::readOutput()
{
    m_buffer += m_process.readAllStandardOutput();
    for (const QByteArray &line : takeLines(m_buffer)) {
        keepTail(m_tail, line);
        if (m_running)
            continue;
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.contains(QLatin1String("port"))) {
            m_port = object.value(QLatin1String("port")).toInt();
            setRunning(true);
        }
    }
}

void NodeServer::setRunning(bool running)
{
    if (m_running == running)
        return;
    m_running = running;
    Q_EMIT runningChanged();
}

NodeClient::NodeClient(QObject *parent)
    : QObject(parent)
{
    m_process.setProgram(nodeExecutable);
    m_process.setWorkingDirectory(nodeDir);
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &NodeClient::readOutput);
    connect(&m_process, &QProcess::readyReadStandardError, this,
            [this] { m_log += m_process.readAllStandardError(); });
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            Q_EMIT failed(QStringLiteral("node did not start: ") + m_process.errorString());
    });
}

NodeClient::~NodeClient()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    // Closing stdin makes admin-peers.mjs close its sockets and exit.
    m_process.closeWriteChannel();
    if (!m_process.waitForFinished(2000)) { // teardown of one test
        m_process.kill();
        m_process.waitForFinished(2000);
    }
}

int NodeClient::connectedCount() const
{
    return m_connected;
}

QString NodeClient::log() const
{
    return QString::fromUtf8(m_log);
}

void NodeClient::start()
{
    const QString error = nodeSetupError(QStringLiteral("socket.io-client"));
    if (!error.isEmpty()) {
        Q_EMIT failed(error);
        return;
    }
    m_process.setArguments({QStringLiteral("admin-peers.mjs"), QStringLiteral("--url"), m_url,
                            QStringLiteral("--nsp"), m_nsp, QStringLiteral("--count"),
                            QString::number(m_count)});
    m_process.start();
}

void NodeClient::emitFrom(int index, const QString &event, const QVariantList &args)
{
    QVariantList message{event};
    message += args;
    m_process.write(QByteArray::number(index) + ' ' +
                    QJsonDocument::fromVariant(message).toJson(QJsonDocument::Compact) + '\n');
}

void NodeClient::readOutput()
{
    m_buffer += m_process.readAllStandardOutput();
    for (const QByteArray &line : takeLines(m_buffer)) {
        keepTail(m_log, line);
        const QVariantMap object = QJsonDocument::fromJson(line).object().toVariantMap();
        const QString kind = object.value(QStringLiteral("event")).toString();
        const int index = object.value(QStringLiteral("index")).toInt();
        if (kind == u"connected") {
            ++m_connected;
            Q_EMIT connectedCountChanged();
            Q_EMIT connected(index, object.value(QStringLiteral("id")).toString());
        } else if (kind == u"received") {
            Q_EMIT received(index, object.value(QStringLiteral("name")).toString(),
                            object.value(QStringLiteral("args")).toList());
        } else if (kind == u"disconnected") {
            --m_connected;
            Q_EMIT connectedCountChanged();
            Q_EMIT disconnected(index, object.value(QStringLiteral("reason")).toString());
        }
    }
}
