// A long run stopped by Ctrl-C or SIGTERM (a CI job's timeout, a cluster
// scheduler) still reports what it explored. The handler only records the
// signal; each engine looks at it where it looks at its time budget and ends the
// search the same way (the result is incomplete, with the counts so far); the
// commands start no further variant, write their reports, and the CLI exits with
// 128 + the signal's number, as a shell does for a killed command. A second
// signal of the same kind kills at once (the handler is reset after the first).
#pragma once

#include <string>
#include <string_view>

namespace mmcheck {

// Installs the SIGINT and SIGTERM handlers; the CLI calls it once, before a command runs.
void catch_interrupts();
// The signal that asked the run to stop, 0 while none has. Safe from any thread.
int interrupt_signal();
// "SIGINT", "SIGTERM", or "a signal".
const char* interrupt_signal_name(int signal);
// The note of a search that ended unfinished: stopped by a signal, else out of its
// time budget, followed by `advice` (what to change, which depends on the engine).
std::string unfinished_search_note(double time_budget_seconds, std::string_view advice);

}  // namespace mmcheck
