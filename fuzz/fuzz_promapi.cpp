// The decoding of Prometheus HTTP API answers on arbitrary bytes: the first byte picks the HTTP status
// the body came with. Every answer is decoded or refused with a message; none crashes or hangs.
#include "core/telemetry/promapi.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const int statuses[] = { 0, 200, 400, 422, 503, 500, 404, 200 };
    const int status = statuses[data[0] % 8];
    const QByteArray body(reinterpret_cast<const char *>(data) + 1, qsizetype(size) - 1);
    const canary::Result<canary::core::PromResult> result = canary::core::decodePromAnswer(body, status);
    if (!result) {
        if (result.error().message.isEmpty())
            std::abort(); // a refusal says why
        return 0;
    }
    for (const canary::core::PromSeries &series : result->series) {
        if (result->type == canary::core::PromResult::Type::Vector && series.samples.size() != 1)
            std::abort(); // a vector's series has exactly one sample
    }
    (void)canary::core::promQueryString(QString::fromUtf8(body), 1.5);
    return 0;
}
