// See interrupt.h.
#include "checker/core/interrupt.h"

#include <atomic>
#include <csignal>

namespace mmcheck {

namespace {

// Lock-free, so storing it is async-signal-safe; read by every engine thread.
std::atomic<int> requested{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void record_interrupt(int signal) { requested.store(signal, std::memory_order_relaxed); }

}  // namespace

void catch_interrupts() {
    struct sigaction action {};
    action.sa_handler = record_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;  // a second signal takes the default action: exit now
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

int interrupt_signal() { return requested.load(std::memory_order_relaxed); }

std::string unfinished_search_note(double time_budget_seconds, std::string_view advice) {
    if (const int signal = interrupt_signal())
        return std::string("stopped by ") + interrupt_signal_name(signal) + " before the search finished";
    return "time budget of " + std::to_string(static_cast<int>(time_budget_seconds)) +
           " s ran out before the search finished; " + std::string(advice);
}

const char* interrupt_signal_name(int signal) {
    if (signal == SIGINT) return "SIGINT";
    if (signal == SIGTERM) return "SIGTERM";
    return "a signal";
}

}  // namespace mmcheck
