#pragma once

#include "result.h"

#include <QByteArray>

namespace canary::demo {

struct ServingCertificates {
    QByteArray caCertificatePem;
    QByteArray caKeyPem;
    QByteArray serverCertificatePem;
    QByteArray serverKeyPem;
};

// A fresh CA and a server certificate it signed for 127.0.0.1, ::1 and localhost (EC P-256).
Result<ServingCertificates> generateServingCertificates();
// A client certificate signed by the given CA, authenticating as CN=user with O=groups.
Result<QByteArray> signClientCertificate(const ServingCertificates &ca, const QByteArray &publicKeyPem,
                                         const QString &user, const QStringList &groups);

} // namespace canary::demo
