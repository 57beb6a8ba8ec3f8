#pragma once

#include <QList>
#include <QPair>
#include <QString>

#include <optional>

class QUrlQuery;

namespace canary::k8s {

// ?fieldValidation=: what the server does with unknown or duplicate fields. Its own default is Warn;
// kubectl sends Strict.
enum class FieldValidation { Strict, Warn, Ignore };

// How a write (create, replace, patch, server-side apply) is sent, as query parameters; kube-rs's
// PostParams and PatchParams.
struct WriteOptions {
    bool dryRun = false; // dryRun=All: admission and validation run, nothing is stored
    QString fieldManager = QStringLiteral("canarydeck"); // empty: none sent
    std::optional<FieldValidation> fieldValidation = FieldValidation::Strict; // nullopt: the server's default
    bool force = false; // server-side apply only: take the fields other managers own

    // The parameters in the order they are sent. `force` exists only for server-side apply (the server
    // refuses it on other writes), where it is always sent.
    QList<QPair<QString, QString>> queryItems(bool serverSideApply = false) const;
    void addTo(QUrlQuery &query, bool serverSideApply = false) const;
};

QString fieldValidationName(FieldValidation validation);

} // namespace canary::k8s
