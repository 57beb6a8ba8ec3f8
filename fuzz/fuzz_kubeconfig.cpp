// The kubeconfig loader on arbitrary bytes: an error or an endpoint, never a crash or a hang.
#include "k8s/kubeconfig.h"

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int argc = 1;
    static char name[] = "fuzz_kubeconfig";
    static char *argv[] = { name, nullptr };
    static QCoreApplication app(argc, argv);
    static QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("config"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return 0;
    f.write(reinterpret_cast<const char *>(data), qsizetype(size));
    f.close();
    canary::k8s::KubeconfigOptions options;
    options.kubeconfig = path;
    const auto endpoint = canary::k8s::loadKubeconfig(options);
    if (!endpoint)
        (void)endpoint.error().message.size();
    (void)canary::k8s::kubeconfigContexts(options);
    return 0;
}
