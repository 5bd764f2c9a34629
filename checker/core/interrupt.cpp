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

const char* interrupt_signal_name(int signal) {
    if (signal == SIGINT) return "SIGINT";
    if (signal == SIGTERM) return "SIGTERM";
    return "a signal";
}

}  // namespace mmcheck
