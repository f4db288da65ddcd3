// Helpers shared by the tests that feed the Inspector's models from a real server (Node's in
// tst_inspector_node, ours in tst_inspector_qt): waiting, the admin password, model lookups.
#pragma once

#include "model/inspectorsession.h"
#include "model/socketsmodel.h"
#include "model/trafficmodel.h"

#include <QtCore/QStringList>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

// QTRY_VERIFY for helpers that return a result: processes events until `done` or the timeout.
template<typename Predicate> bool waitUntil(Predicate done, int timeoutMs = 20000)
{
    return QTest::qWaitFor(done, timeoutMs);
}

// bcrypt (bcryptjs 2.4.3, cost 8) of "changeit", made once with
// node -e "console.log(require('bcryptjs').hashSync('changeit', 8))".
inline constexpr char adminPasswordHash[] =
    "$2a$08$a1lh3mRXdcPRIKY/ht8daOFiZfdcQpx25A2vYIAorQb5p870/qqIS";

// `settings` with the user "admin" and the password of adminPasswordHash.
inline Inspector::ConnectionSettings withAdminLogin(Inspector::ConnectionSettings settings)
{
    settings.username = QStringLiteral("admin");
    settings.password = QStringLiteral("changeit");
    return settings;
}

// A wrong password in `settings`: refused with the reference's "invalid credentials", the
// login is asked again.
inline void verifyWrongPasswordRefused(Inspector::ConnectionSettings settings)
{
    Inspector::InspectorSession refused;
    QSignalSpy failed(&refused, &Inspector::InspectorSession::authenticationFailed);
    settings.password = QStringLiteral("wrong");
    refused.open(settings);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
    QCOMPARE(refused.errorString(), QStringLiteral("invalid credentials"));
    QCOMPARE(refused.state(), Inspector::InspectorSession::State::Disconnected);
}

// The ids of the sockets of namespace `nsp`.
inline QStringList socketIds(const Inspector::SocketsModel *model, const QString &nsp)
{
    QStringList ids;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex i = model->index(row, 0);
        if (i.data(Inspector::SocketsModel::NamespaceRole).toString() == nsp)
            ids.append(i.data(Inspector::SocketsModel::IdRole).toString());
    }
    return ids;
}

// How many traffic entries have this direction and event (and socket, when given).
inline int trafficCount(const Inspector::TrafficModel *traffic, Inspector::TrafficModel::Dir dir,
                        const QString &event, const QString &socketId = {})
{
    int n = 0;
    for (int row = 0; row < traffic->rowCount(); ++row) {
        const Inspector::TrafficModel::Entry &e = traffic->entry(row);
        n += e.direction == dir && e.event == event &&
             (socketId.isEmpty() || e.socketId == socketId);
    }
    return n;
}
