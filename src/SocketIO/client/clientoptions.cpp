#include "clientoptions.h"

#include "variant_p.h"

#include <QtCore/QFile>

namespace SocketIO {

/*!
    \class SocketIO::ManagerOptions
    \inmodule SocketIO
    \brief The client options, with the names and defaults of socket.io-client 4.8.
*/

namespace {

// PEM text, or the path of a PEM file.
QByteArray pem(const QVariant &value)
{
    const QString text = value.toString();
    if (text.contains(QStringLiteral("-----BEGIN")))
        return text.toUtf8();
    QFile file(text);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

ManagerOptions ManagerOptions::fromVariantMap(const QVariantMap &map, QString *error,
                                              SocketOptions *socketOptions)
{
    ManagerOptions o;
    QString problem;
    auto expect = [&problem](const QString &key, const char *what) {
        problem = QStringLiteral("option \"%1\": expected %2").arg(key, QString::fromLatin1(what));
    };
    static const QHash<QString, QString> notApplicable = {
        {QStringLiteral("agent"), QStringLiteral("Qt manages its own connections")},
        {QStringLiteral("pfx"), QStringLiteral("give cert and key as PEM instead")},
        {QStringLiteral("perMessageDeflate"),
         QStringLiteral("QWebSocket does not implement permessage-deflate")},
        {QStringLiteral("localAddress"), QStringLiteral("not supported by QNetworkAccessManager")},
    };
    for (auto it = map.cbegin(); it != map.cend() && problem.isEmpty(); ++it) {
        const QString &key = it.key();
        const QVariant &v = it.value();
        const bool isBool = v.typeId() == QMetaType::Bool;
        if (notApplicable.contains(key)) {
            problem = QStringLiteral("option \"%1\" is not supported: %2")
                          .arg(key, notApplicable.value(key));
        } else if (key == u"path" || key == u"timestampParam" || key == u"ciphers") {
            if (v.typeId() != QMetaType::QString) {
                expect(key, "a string");
                break;
            }
            (key == u"path"      ? o.path
             : key == u"ciphers" ? o.tls.ciphers
                                 : o.timestampParam) = v.toString();
        } else if (key == u"query" || key == u"extraHeaders") {
            if (v.typeId() != QMetaType::QVariantMap) {
                expect(key, "an object");
                break;
            }
            const QVariantMap sub = v.toMap();
            if (key == u"query") {
                o.query = sub;
            } else {
                for (auto h = sub.cbegin(); h != sub.cend(); ++h)
                    o.extraHeaders.insert(h.key().toUtf8(), h.value().toString().toUtf8());
            }
        } else if (key == u"transports" || key == u"protocols") {
            const QStringList list = v.toStringList();
            if (v.typeId() != QMetaType::QVariantList && v.typeId() != QMetaType::QStringList &&
                v.typeId() != QMetaType::QString) {
                expect(key, "a list of strings");
                break;
            }
            (key == u"transports" ? o.transports : o.protocols) = list;
        } else if (key == u"ca" || key == u"cert") {
            QList<QSslCertificate> certificates;
            const QVariantList items =
                v.typeId() == QMetaType::QVariantList ? v.toList() : QVariantList{v};
            for (const QVariant &item : items)
                certificates += QSslCertificate::fromData(pem(item), QSsl::Pem);
            if (certificates.isEmpty()) {
                expect(key, "PEM certificates (text or file paths)");
                break;
            }
            (key == u"ca" ? o.tls.ca : o.tls.cert) = certificates;
        } else if (key == u"key") {
            o.tls.key = pem(v);
            if (o.tls.key.isEmpty())
                expect(key, "a PEM key (text or file path)");
        } else if (key == u"passphrase") {
            o.tls.passphrase = v.toString().toUtf8();
        } else if (key == u"timestampRequests") {
            if (!isBool) {
                expect(key, "true or false");
                break;
            }
            o.timestampRequests = v.toBool();
        } else if (key == u"reconnectionAttempts" || key == u"reconnectionDelay" ||
                   key == u"reconnectionDelayMax" || key == u"timeout") {
            if (key == u"timeout" && isBool && !v.toBool()) {
                o.timeout = -1; // timeout: false
                continue;
            }
            if (!isNumber(v)) {
                expect(key, "a number");
                break;
            }
            const double d = v.toDouble();
            const int value = d >= double(std::numeric_limits<int>::max())
                                  ? std::numeric_limits<int>::max()
                                  : int(d);
            if (key == u"reconnectionAttempts")
                o.reconnectionAttempts = value;
            else if (key == u"reconnectionDelay")
                o.reconnectionDelay = value;
            else if (key == u"reconnectionDelayMax")
                o.reconnectionDelayMax = value;
            else
                o.timeout = value;
        } else if (key == u"randomizationFactor") {
            if (!isNumber(v)) {
                expect(key, "a number");
                break;
            }
            o.randomizationFactor = v.toDouble();
        } else if (key == u"parser") {
            o.parser = Parser::byName(v.toString());
            if (!o.parser)
                problem = QStringLiteral("option \"parser\": expected \"default\" or \"msgpack\"");
        } else if (key == u"auth" || key == u"ackTimeout" || key == u"retries") {
            if (!socketOptions) {
                problem =
                    QStringLiteral("option \"%1\" belongs to the socket (SocketOptions)").arg(key);
                break;
            }
            if (key == u"auth")
                socketOptions->auth = v.toMap();
            else if (key == u"ackTimeout")
                socketOptions->ackTimeout = v.toInt();
            else
                socketOptions->retries = v.toInt();
        } else {
            static const QHash<QString, bool ManagerOptions::*> flags = {
                {QStringLiteral("addTrailingSlash"), &ManagerOptions::addTrailingSlash},
                {QStringLiteral("withCredentials"), &ManagerOptions::withCredentials},
                {QStringLiteral("forceBase64"), &ManagerOptions::forceBase64},
                {QStringLiteral("tryAllTransports"), &ManagerOptions::tryAllTransports},
                {QStringLiteral("upgrade"), &ManagerOptions::upgrade},
                {QStringLiteral("rememberUpgrade"), &ManagerOptions::rememberUpgrade},
                {QStringLiteral("closeOnBeforeunload"), &ManagerOptions::closeOnBeforeunload},
                {QStringLiteral("autoUnref"), &ManagerOptions::autoUnref},
                {QStringLiteral("reconnection"), &ManagerOptions::reconnection},
                {QStringLiteral("autoConnect"), &ManagerOptions::autoConnect},
                {QStringLiteral("forceNew"), &ManagerOptions::forceNew},
                {QStringLiteral("force new connection"), &ManagerOptions::forceNew},
                {QStringLiteral("multiplex"), &ManagerOptions::multiplex},
            };
            const auto flag = flags.constFind(key);
            if (key == u"rejectUnauthorized") {
                if (!isBool)
                    expect(key, "true or false");
                else
                    o.tls.rejectUnauthorized = v.toBool();
            } else if (flag != flags.cend()) {
                if (!isBool)
                    expect(key, "true or false");
                else
                    o.**flag = v.toBool();
            } else {
                problem = QStringLiteral("unknown option \"%1\"").arg(key);
            }
        }
    }
    if (problem.isEmpty())
        problem = o.validate();
    if (error)
        *error = problem;
    return o;
}

} // namespace SocketIO
