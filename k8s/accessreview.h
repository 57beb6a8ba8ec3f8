#pragma once

#include "k8s/kuberequest.h"

#include <QJsonObject>
#include <QString>

namespace canary::k8s {

// What a SelfSubjectAccessReview asks: may I VERB RESOURCE[/SUBRESOURCE] [NAME] in NAMESPACE?
struct AccessQuestion {
    QString ns;
    QString verb;
    QString group; // empty: the core group
    QString resource;
    QString subresource;
    QString name;
};

// The POST that asks it (authorization.k8s.io/v1).
KubeRequest accessReviewRequest(const AccessQuestion &question);

struct AccessAnswer {
    bool allowed = false;
    QString reason; // the authorizer's words, when it gives any
};
// The answer of a review the server accepted.
AccessAnswer accessReviewAnswer(const QJsonObject &review);

// Who am I (kubectl auth whoami): the POST of a SelfSubjectReview (authentication.k8s.io/v1), and the
// user name of its answer (empty when it has none).
KubeRequest selfSubjectReviewRequest();
QString selfSubjectReviewUser(const QJsonObject &review);

} // namespace canary::k8s
