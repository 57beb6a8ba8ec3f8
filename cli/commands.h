#pragma once

#include "cli/options.h"
#include "cli/output.h"

namespace canary::cli {

// One function per command; each returns the exit code. `command` is the command as typed
// ("set-weights", "match add"), for messages.
int getCommand(const Console &console, const Options &options);
int writeCommand(const Console &console, const Options &options, const QString &command);
int rollbackCommand(const Console &console, const Options &options);
int historyCommand(const Console &console, const Options &options);
int validateCommand(const Console &console, const Options &options);
int versionCommand(const Console &console, const Options &options);
int statusCommand(const Console &console, const Options &options);

} // namespace canary::cli
