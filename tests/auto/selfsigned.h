// A throwaway self-signed certificate for 127.0.0.1, made with the openssl command line;
// shared by the tests that serve TLS.
#pragma once

#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QSslKey>

struct SelfSigned
{
    QSslCertificate certificate;
    QSslKey key;
    QString error; // empty when it worked

    // A server configuration presenting the certificate.
    QSslConfiguration serverConfiguration() const
    {
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificate(certificate);
        configuration.setPrivateKey(key);
        return configuration;
    }

    static SelfSigned make()
    {
        SelfSigned result;
        QTemporaryDir dir;
        const QString keyPath = dir.filePath(QStringLiteral("key.pem"));
        const QString certPath = dir.filePath(QStringLiteral("cert.pem"));
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                       QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                       QStringLiteral("-keyout"), keyPath, QStringLiteral("-out"), certPath,
                       QStringLiteral("-days"), QStringLiteral("1"), QStringLiteral("-subj"),
                       QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                       QStringLiteral("subjectAltName=IP:127.0.0.1")});
        if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0) {
            result.error = QStringLiteral("openssl failed: ") +
                           QString::fromLocal8Bit(openssl.readAllStandardError());
            return result;
        }
        QFile keyFile(keyPath), certFile(certPath);
        if (!keyFile.open(QIODevice::ReadOnly) || !certFile.open(QIODevice::ReadOnly)) {
            result.error = QStringLiteral("cannot read what openssl wrote");
            return result;
        }
        result.certificate = QSslCertificate(&certFile, QSsl::Pem);
        result.key = QSslKey(&keyFile, QSsl::Rsa, QSsl::Pem);
        return result;
    }
};
