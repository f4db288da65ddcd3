// The one mapping of option names, the reference's and Socket.IO 0.9's ("heartbeat interval",
// "origins", "browser client gzip", ...), onto ServerOptions. ServerOptions::fromVariantMap()
// and Server::set()/get() both go through it.
#pragma once

#include "serveroptions.h"

#include <QtCore/QStringList>
#include <QtCore/QVariant>

namespace SocketIO {

class HttpRequest;

class OptionMapper
{
public:
    explicit OptionMapper(const ServerOptions &base);

    // Applies one option; false (with the problem recorded) when refused. Every problem is
    // kept, not only the first.
    bool apply(const QString &name, const QVariant &value);
    // The options with every accepted name applied (the engine names are read together here).
    ServerOptions result();
    QStringList problems() const { return m_problems; }

    // The current value of `name` in `options`, or an invalid QVariant for names that are
    // unknown or refused.
    static QVariant value(const ServerOptions &options, const QString &name);
    // Whether `name` may still change once the server listens: what is read per request.
    static bool changesAtRunTime(const QString &name);
    // Whether `name` is a name apply() knows (accepted or explained).
    static bool isKnown(const QString &name);

private:
    void applyOne(class OptionReader &r, const QString &key, const QVariant &value);
    void setOrigins(class OptionReader &r, const QString &key, const QVariant &value);
    void setTransports(class OptionReader &r, const QString &key);
    void setStore(class OptionReader &r, const QString &key, const QVariant &value);

    ServerOptions m_options;
    Protocol09Options m_protocol09;
    Legacy09Options m_legacy09;
    bool m_touched09 = false;
    bool m_touchedLegacy = false;
    QVariantMap m_engine;
    QStringList m_problems;
};

namespace Legacy09 {

// 0.9's verifyOrigin(): `origin` (the Origin header, else the Referer) against "host:port",
// "host:*", "*:port" and "*:*"; a missing port is the scheme's default. A refusal is logged
// when `log` is set (the request's refusal, not the CORS layer's question).
bool originAllowed(const QStringList &origins, const QByteArray &origin, bool log = true);
// 0.9's handshakeData: headers, time, address, xdomain, secure, issued, url, query.
QVariantMap handshakeData(const HttpRequest &request);
// "log level" and "log" as QLoggingCategory filter rules on socketio.*; nothing when unset.
void applyLogging(const Legacy09Options &options);

} // namespace Legacy09

} // namespace SocketIO
