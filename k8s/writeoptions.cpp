#include "k8s/writeoptions.h"

#include <QUrlQuery>

namespace canary::k8s {

QString fieldValidationName(FieldValidation validation)
{
    switch (validation) {
    case FieldValidation::Strict: return QStringLiteral("Strict");
    case FieldValidation::Warn: return QStringLiteral("Warn");
    case FieldValidation::Ignore: return QStringLiteral("Ignore");
    }
    return {};
}

QList<QPair<QString, QString>> WriteOptions::queryItems(bool serverSideApply) const
{
    QList<QPair<QString, QString>> items;
    if (!fieldManager.isEmpty())
        items.append({ QStringLiteral("fieldManager"), fieldManager });
    if (serverSideApply)
        items.append({ QStringLiteral("force"), force ? QStringLiteral("true") : QStringLiteral("false") });
    if (fieldValidation)
        items.append({ QStringLiteral("fieldValidation"), fieldValidationName(*fieldValidation) });
    if (dryRun)
        items.append({ QStringLiteral("dryRun"), QStringLiteral("All") });
    return items;
}

void WriteOptions::addTo(QUrlQuery &query, bool serverSideApply) const
{
    for (const auto &[key, value] : queryItems(serverSideApply))
        query.addQueryItem(key, value);
}

} // namespace canary::k8s
