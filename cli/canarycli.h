#pragma once

#include <QStringList>
#include <QTextStream>

namespace canary::cli {

// kubectl-canary: runs one command line, writing what kubectl would to out and err; returns the exit code.
int run(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace canary::cli
