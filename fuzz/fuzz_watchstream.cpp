// The watch-stream decoder on arbitrary bytes, cut into reads at arbitrary points.
#include "k8s/watchstream.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    canary::k8s::WatchStreamDecoder decoder;
    QStringList errors;
    const QByteArray all(reinterpret_cast<const char *>(data) + 1, qsizetype(size) - 1);
    const qsizetype step = 1 + data[0] % 64;
    for (qsizetype at = 0; at < all.size(); at += step)
        (void)decoder.feed(all.mid(at, step), &errors);
    (void)decoder.feed("\n", &errors);
    return 0;
}
