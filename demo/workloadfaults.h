#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <map>
#include <mutex>

namespace canary::demo {

// A bad canary on demand: annotations on a Deployment that its pods' replies honour.
inline constexpr char kErrorPercentAnnotation[] = "demo.canarydeck.io/error-percent"; // share answered 500
inline constexpr char kLatencyAnnotation[] = "demo.canarydeck.io/latency-ms"; // added to each reply, really waited
inline constexpr int kMaxLatencyMs = 60000;

struct WorkloadFaults {
    double errorPercent = 0; // 0 to 100
    int latencyMs = 0; // 0 to kMaxLatencyMs
};

// The faults the Deployments ask for, by "namespace/name". A value that is not a number in range is left out
// and described in *invalid (one sentence each, naming the Deployment, the annotation and the value).
std::map<QString, WorkloadFaults> workloadFaults(const QList<QJsonObject> &deployments, QStringList *invalid);

// Which replies of a workload are errors: error-percent of them, spread evenly by an accumulator per workload,
// so that 30 is 30 of every 100 and not 30 on average.
class ErrorSpreader final {
public:
    bool nextFails(const QString &workload, double percent);

private:
    std::mutex m_mutex;
    std::map<QString, double> m_owed;
};

} // namespace canary::demo
