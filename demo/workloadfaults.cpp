#include "demo/workloadfaults.h"

#include "core/model/istio.h"

#include <cmath>

namespace canary::demo {

namespace {

// The annotation's value as a number from 0 to max; false (with *why) when it is something else.
bool parseAnnotation(const QJsonObject &annotations, const char *key, double max, double *value, QString *why)
{
    if (!annotations.contains(QLatin1String(key)))
        return false;
    const QString text = annotations.value(QLatin1String(key)).toString();
    bool ok = false;
    const double number = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(number) || number < 0 || number > max) {
        *why = QStringLiteral("not a number from 0 to %1").arg(max);
        return false;
    }
    *value = number;
    return true;
}

} // namespace

std::map<QString, WorkloadFaults> workloadFaults(const QList<QJsonObject> &deployments, QStringList *invalid)
{
    std::map<QString, WorkloadFaults> out;
    for (const QJsonObject &deployment : deployments) {
        const QJsonObject annotations
                = deployment.value(QLatin1String("metadata")).toObject().value(QLatin1String("annotations")).toObject();
        const QString name = core::objectNamespace(deployment) + QLatin1Char('/') + core::objectName(deployment);
        WorkloadFaults faults;
        double value = 0;
        for (const auto &[key, max] : { std::pair { kErrorPercentAnnotation, 100.0 },
                                        std::pair { kLatencyAnnotation, double(kMaxLatencyMs) } }) {
            QString why;
            if (parseAnnotation(annotations, key, max, &value, &why)) {
                if (key == kErrorPercentAnnotation)
                    faults.errorPercent = value;
                else
                    faults.latencyMs = int(std::lround(value));
            } else if (!why.isEmpty()) {
                invalid->append(
                        QStringLiteral("ignoring %1=\"%2\" on Deployment %3: %4")
                                .arg(QLatin1String(key), annotations.value(QLatin1String(key)).toString(), name, why));
            }
        }
        if (faults.errorPercent > 0 || faults.latencyMs > 0)
            out.emplace(name, faults);
    }
    return out;
}

bool ErrorSpreader::nextFails(const QString &workload, double percent)
{
    std::lock_guard lock(m_mutex);
    double &owed = m_owed[workload];
    owed += percent / 100.0;
    if (owed < 1.0 - 1e-9)
        return false;
    owed -= 1.0;
    return true;
}

} // namespace canary::demo
