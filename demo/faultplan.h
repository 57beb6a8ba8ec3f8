#pragma once

#include "k8s/result.h"

#include <QString>

#include <atomic>

namespace canary::demo {

// --fault: misbehaviour on purpose, for tests. Counts apply to ordinary (non-watch) API requests.
struct FaultPlan {
    std::atomic<int> tooManyRequests { 0 }; // answer 429 with Retry-After: 1 this many times
    std::atomic<int> internalErrors { 0 }; // answer 500 this many times
    std::atomic<int> expiredWatches {
        0
    }; // answer this many watches from a resourceVersion, or lists with continue, with 410 Expired
    std::atomic<int> slowMs { 0 }; // delay every answer
    std::atomic<int> dropWatchAfterMs { 0 }; // cut watch streams (no clean end) after this long
};
Result<bool> parseFaults(const QString &text, FaultPlan *plan);

// Takes one from a fault's count; true when there was one to take.
bool takeFault(std::atomic<int> &counter);

} // namespace canary::demo
