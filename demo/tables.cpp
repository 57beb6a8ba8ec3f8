#include "demo/tables.h"

#include "demo/objectstore.h"

#include "k8s/humanduration.h"

#include <QJsonArray>

namespace canary::demo {

namespace {

QJsonObject column(const char *name, const char *type, const char *format, const char *description)
{
    return QJsonObject { { QStringLiteral("name"), QLatin1String(name) },
                         { QStringLiteral("type"), QLatin1String(type) },
                         { QStringLiteral("format"), QLatin1String(format) },
                         { QStringLiteral("description"), QLatin1String(description) },
                         { QStringLiteral("priority"), 0 } };
}

// kube-apiserver's printer for Leases (pkg/printers/internalversion): NAME, HOLDER, AGE.
QJsonArray leaseCells(const QJsonObject &lease)
{
    const QJsonObject meta = lease.value(QLatin1String("metadata")).toObject();
    const QJsonObject spec = lease.value(QLatin1String("spec")).toObject();
    return QJsonArray { meta.value(QLatin1String("name")).toString(),
                        spec.value(QLatin1String("holderIdentity")).toString(), k8s::humanAge(lease) };
}

} // namespace

bool wantsTable(const std::string &accept)
{
    return accept.find("as=Table") != std::string::npos;
}

std::optional<QJsonObject> asTable(const ResourceType &type, const QList<QJsonObject> &objects,
                                   const QJsonObject &listMetadata)
{
    if (type.group != QLatin1String("coordination.k8s.io") || type.plural != QLatin1String("leases"))
        return std::nullopt;
    const QJsonArray columns {
        column("Name", "string", "name", "Name must be unique within a namespace."),
        column("Holder", "string", "", "HolderIdentity contains the identity of the holder of a current lease."),
        column("Age", "string", "",
               "CreationTimestamp is a timestamp representing the server time when this "
               "object was created."),
    };
    QJsonArray rows;
    for (const QJsonObject &o : objects)
        rows.append(QJsonObject { { QStringLiteral("cells"), leaseCells(o) }, { QStringLiteral("object"), o } });
    return QJsonObject { { QStringLiteral("kind"), QStringLiteral("Table") },
                         { QStringLiteral("apiVersion"), QStringLiteral("meta.k8s.io/v1") },
                         { QStringLiteral("metadata"), listMetadata },
                         { QStringLiteral("columnDefinitions"), columns },
                         { QStringLiteral("rows"), rows } };
}

} // namespace canary::demo
