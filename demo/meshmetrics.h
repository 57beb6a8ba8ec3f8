#pragma once

#include <QByteArray>
#include <QString>

#include <map>
#include <mutex>
#include <vector>

namespace canary::demo {

struct RequestRecord {
    QString sourceWorkload;
    QString destinationService; // FQDN
    QString destinationServiceName;
    QString destinationServiceNamespace;
    QString destinationVersion;
    QString destinationWorkload;
    int responseCode = 200;
    QString responseFlags = QStringLiteral("-");
    double durationMs = 0;
};

// Istio's standard metrics as the destination proxies would report them, in Prometheus text.
class MeshMetrics final {
public:
    MeshMetrics();
    void record(const RequestRecord &request);
    QByteArray exposition() const;
    quint64 total() const;

private:
    struct Series {
        double count = 0;
        double sum = 0;
        std::vector<double> buckets;
    };
    std::vector<double> m_bounds;
    mutable std::mutex m_mutex;
    std::map<QString, Series> m_series; // key: rendered label set
    quint64 m_total = 0;
};

} // namespace canary::demo
