#pragma once

#include "k8s/result.h"

#include <QByteArray>

namespace canary::k8s {

// Turn an API server answer into an error a person can act on: the Kubernetes Status body
// (reason, message, causes) when there is one, readable text from an HTML or plain body otherwise.
Error decodeStatus(int httpStatus, const QByteArray &body, const QString &what);

} // namespace canary::k8s
