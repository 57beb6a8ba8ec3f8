#include "demo/faultplan.h"

#include <QStringList>

namespace canary::demo {

bool takeFault(std::atomic<int> &counter)
{
    int left = counter.load();
    while (left > 0 && !counter.compare_exchange_weak(left, left - 1)) { }
    return left > 0;
}

Result<bool> parseFaults(const QString &text, FaultPlan *plan)
{
    for (const QString &item : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString key = item.section(QLatin1Char('='), 0, 0).trimmed();
        bool ok = false;
        const int value = item.section(QLatin1Char('='), 1).trimmed().toInt(&ok);
        if (!ok || value < 0)
            return makeError(QStringLiteral("--fault %1: expected NAME=NUMBER").arg(item));
        if (key == QLatin1String("429"))
            plan->tooManyRequests = value;
        else if (key == QLatin1String("500"))
            plan->internalErrors = value;
        else if (key == QLatin1String("410"))
            plan->expiredWatches = value;
        else if (key == QLatin1String("slow"))
            plan->slowMs = value;
        else if (key == QLatin1String("drop-watch"))
            plan->dropWatchAfterMs = value;
        else
            return makeError(
                    QStringLiteral("--fault %1: unknown fault \"%2\" (429=N, 500=N, 410=N, slow=MS, drop-watch=MS)")
                            .arg(item, key));
    }
    return true;
}

} // namespace canary::demo
