#pragma once

#include "model/inspectorsession.h"

#include <QtWidgets/QDialog>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
QT_END_NAMESPACE

namespace Inspector {

// Where to connect: URL (with the recent servers from QSettings), admin namespace, path,
// basic auth credentials and websocket-only.
class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectDialog(QWidget *parent = nullptr);

    void setSettings(const ConnectionSettings &settings);
    ConnectionSettings settings() const;
    // Shown above the form, e.g. "invalid credentials".
    void setMessage(const QString &message);

    // The recent servers, newest first, and their settings (without password).
    static QStringList recentServers();
    static ConnectionSettings recentSettings(const QString &url);
    static void remember(const ConnectionSettings &settings);
    static void rememberSession(const QUrl &url, const QString &sessionId);

private:
    QLabel *m_message;
    QComboBox *m_url;
    QLineEdit *m_namespace;
    QLineEdit *m_path;
    QLineEdit *m_username;
    QLineEdit *m_password;
    QCheckBox *m_websocketOnly;
};

} // namespace Inspector
