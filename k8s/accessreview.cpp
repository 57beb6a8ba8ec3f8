#include "k8s/accessreview.h"

#include <QJsonDocument>

namespace canary::k8s {

KubeRequest accessReviewRequest(const AccessQuestion &q)
{
    QJsonObject attributes { { QStringLiteral("namespace"), q.ns },
                             { QStringLiteral("verb"), q.verb },
                             { QStringLiteral("resource"), q.resource } };
    if (!q.group.isEmpty())
        attributes.insert(QStringLiteral("group"), q.group);
    if (!q.subresource.isEmpty())
        attributes.insert(QStringLiteral("subresource"), q.subresource);
    if (!q.name.isEmpty())
        attributes.insert(QStringLiteral("name"), q.name);
    const QJsonObject review {
        { QStringLiteral("apiVersion"), QStringLiteral("authorization.k8s.io/v1") },
        { QStringLiteral("kind"), QStringLiteral("SelfSubjectAccessReview") },
        { QStringLiteral("spec"), QJsonObject { { QStringLiteral("resourceAttributes"), attributes } } },
    };
    return KubeRequest::create(QStringLiteral("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"),
                               QJsonDocument(review).toJson(QJsonDocument::Compact));
}

AccessAnswer accessReviewAnswer(const QJsonObject &review)
{
    const QJsonObject status = review.value(QLatin1String("status")).toObject();
    return { status.value(QLatin1String("allowed")).toBool(), status.value(QLatin1String("reason")).toString() };
}

KubeRequest selfSubjectReviewRequest()
{
    const QJsonObject review { { QStringLiteral("apiVersion"), QStringLiteral("authentication.k8s.io/v1") },
                               { QStringLiteral("kind"), QStringLiteral("SelfSubjectReview") } };
    return KubeRequest::create(QStringLiteral("/apis/authentication.k8s.io/v1/selfsubjectreviews"),
                               QJsonDocument(review).toJson(QJsonDocument::Compact));
}

QString selfSubjectReviewUser(const QJsonObject &review)
{
    return review.value(QLatin1String("status"))
            .toObject()
            .value(QLatin1String("userInfo"))
            .toObject()
            .value(QLatin1String("username"))
            .toString();
}

} // namespace canary::k8s
