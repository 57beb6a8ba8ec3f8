#pragma once

#include "k8s/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace canary::demo {

// Who a request comes from, as kube-apiserver's authenticators name it.
struct UserInfo {
    QString name;
    QString uid;
    QStringList groups;
};

// One line of a --token-auth-file.
struct StaticToken {
    QString token;
    UserInfo user;
};

// The group whose members may read but not write.
inline constexpr char kViewersGroup[] = "canarydeck:viewers";

// Reads kube-apiserver's static token file: token,user,uid[,"group1,group2"] per line, # comments.
Result<QList<StaticToken>> readTokenAuthFile(const QString &path);
// The same, from text (path is only used in messages).
Result<QList<StaticToken>> parseTokenAuthFile(const QByteArray &text, const QString &path);

// The demo's authorizer: everyone authenticated may do everything, except members of
// canarydeck:viewers, who may only get, list and watch, and not through a proxy subresource (Kubernetes'
// view role grants no services/proxy either); system:masters always may. `resource` is PLURAL or
// PLURAL/SUBRESOURCE.
bool isAllowed(const UserInfo &user, const QString &verb, const QString &resource);

// kube-apiserver's 403 Status for a denied request, with its details.
QJsonObject forbiddenStatus(const UserInfo &user, const QString &verb, const QString &group, const QString &resource,
                            const QString &name, const QString &ns);

// SelfSubjectAccessReview and SelfSubjectReview answers for a request body.
QJsonObject selfSubjectAccessReview(const UserInfo &user, QJsonObject review);
QJsonObject selfSubjectReview(const UserInfo &user, const QString &apiVersion);

} // namespace canary::demo
