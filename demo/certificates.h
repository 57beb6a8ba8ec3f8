#pragma once

#include "k8s/result.h"

#include <QByteArray>

namespace canary::demo {

struct ServingCertificates {
    QByteArray caCertificatePem;
    QByteArray caKeyPem;
    QByteArray serverCertificatePem;
    QByteArray serverKeyPem;
};

enum class KeyType { EcP256, Rsa2048 };

// A fresh private key, PEM (PKCS#8).
QByteArray generatePrivateKeyPem(KeyType type);

// A fresh CA and a server certificate it signed (EC P-256), by default for 127.0.0.1, ::1, localhost
// and kubernetes(.default.svc); `subjectAltNames` in OpenSSL's form ("DNS:a,IP:1.2.3.4") replaces those.
Result<ServingCertificates> generateServingCertificates(const QByteArray &subjectAltNames = {});
// A client certificate signed by the given CA, authenticating as CN=user with O=groups.
Result<QByteArray> signClientCertificate(const ServingCertificates &ca, const QByteArray &publicKeyPem,
                                         const QString &user, const QStringList &groups);

} // namespace canary::demo
