#pragma once

#include "k8s/kubeconfig.h"
#include "k8s/result.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace canary::cli {

// A command line as kubectl's flag parser reads it: flags anywhere, --name=value or --name value,
// -n value or -nvalue, boolean flags with an optional =true|false, "--" ending the flags.
struct Options {
    QStringList positional;
    QList<QPair<QString, QString>> values; // canonical flag name -> value, in command-line order

    // The last value given (kubectl's rule for repeated scalar flags), or empty.
    QString value(const QString &name) const;
    QStringList all(const QString &name) const;
    bool isSet(const QString &name) const;
};

Result<Options> parseOptions(const QStringList &args);

k8s::KubeconfigOptions kubeconfigOptions(const Options &options);
// --dry-run: empty (not given), none, client or server; another value is an error in kubectl's words.
Result<QString> dryRunOption(const Options &options);
// --request-timeout as kubectl takes it (30s, 1m, 500ms, a bare number of seconds; 0: none), in ms.
Result<int> parseTimeout(const QString &text);

} // namespace canary::cli
