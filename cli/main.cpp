#include "cli/canarycli.h"

#include <QCoreApplication>

#include <cstdio>

namespace {

// The plugin's stderr is what the user reads: its own `error:` lines, not Qt's internal warnings
// (CANARYDECK_DEBUG=1 shows those too).
void quietQt(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    static const bool debug = qEnvironmentVariableIsSet("CANARYDECK_DEBUG");
    if (debug || type == QtFatalMsg)
        std::fprintf(stderr, "%s\n", qPrintable(message));
}

} // namespace

int main(int argc, char *argv[])
{
    qInstallMessageHandler(quietQt);
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
