#include "cli/canarycli.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("kubectl-canary"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CANARYDECK_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);
    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    const int code = canary::cli::run(args, out, err);
    out.flush();
    err.flush();
    return code;
}
