// Per-execution seam state: the trace being recorded, the locks each model thread
// holds, RCU read-side nesting, and the first violation. Engines own one object of
// this type per run and point the single hook, current_execution(), at it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <source_location>
#include <vector>

#include "model/kernel/detail/engine_ns.h"
#include "model/kernel/detail/intermediate_values.h"
#include "model/kernel/detail/label.h"
#include "model/kernel/detail/lockdep.h"
#include "model/kernel/detail/revalidation.h"
#include "reports/report.h"

MMCHECK_ENGINE_BEGIN
namespace kernel::detail {

using word = std::uint64_t;
using kernel_label::label;

inline constexpr int max_threads = 4;
inline constexpr int max_held_locks = 16;  // S5's migrate_vma driver holds 9: 4+4 page locks, mmap_lock

// Formats a raw word of a known type for people; chosen by the seam from the
// static type of the object, so decoding needs no runtime type tags.
using value_formatter = std::string (*)(word);

enum class lock_mode : std::uint8_t { exclusive, shared };

struct held_lock {
    const void* lock = nullptr;
    label name;
    lock_mode mode = lock_mode::exclusive;
    bool sleeping = false;  // rwsem / page lock, as opposed to a spinlock
    int subclass = 0;       // spin_lock_nested()'s lockdep subclass
    std::source_location acquired_at{};
    unsigned acquisition = 0;  // the holder's thread_state::acquisitions when taken
};

enum class step_kind : std::uint8_t { read, write, other };

// A trace step as recorded: raw words and labels; formatting happens after the run.
struct raw_step {
    int thread;
    std::source_location where;
    const char* op;
    label object;
    value_formatter format;  // null: before/after are not meaningful
    word before;
    word after;
    step_kind kind;
    bool stale;  // a read that returned an older value than the latest store (weak memory)
    std::uint8_t nheld;
    std::array<label, max_held_locks> held;
};

struct thread_state {
    std::array<held_lock, max_held_locks> held{};
    int nheld = 0;
    int rcu_depth = 0;
    unsigned rcu_exits = 0;  // read-side sections left; grace periods wait on it
    unsigned acquisitions = 0;            // locks taken so far, to order reads against holds
    std::vector<entry_read> entry_reads;  // model/kernel/detail/revalidation.h
    int open_entry_holds = 0;             // this thread's records in execution::entry_writes
};

// call_rcu()'s handle, embedded in the object to free (struct page for tables).
struct rcu_head {
    label name{"rcu_head"};
};
using rcu_callback = void (*)(rcu_head*);

// A grace period (model/kernel/rcu.cpp): the threads that were inside a read-side
// section when it began, each until it has left that section.
struct grace_period {
    unsigned waiting = 0;
    std::array<unsigned, max_threads> exits_at_begin{};
};

// A call_rcu() callback waiting for the end of the grace period it was queued in.
struct rcu_pending {
    rcu_callback func;
    rcu_head* head;
    grace_period gp;
};

struct execution {
    int nthreads = 0;
    bool tracing = false;
    std::vector<raw_step> trace;
    std::array<thread_state, max_threads> threads{};
    std::optional<violation_report> violation;
    std::vector<rcu_pending> rcu_callbacks;
    lock_dependencies lock_order;  // model/kernel/detail/lockdep.h
    entry_holds entry_writes;      // model/kernel/detail/intermediate_values.h

    void reset(int threads_in_run, bool record_trace) {
        nthreads = threads_in_run;
        tracing = record_trace;
        trace.clear();
        threads = {};
        violation.reset();
        rcu_callbacks.clear();
        lock_order.clear();
        entry_writes.clear();
    }
};

// The one hook from model code to the running engine. Fibers of one run share it;
// each native thread sets it to the run's execution when it starts.
execution*& current_execution();

// A source file's path relative to the repository, whatever the build directory.
std::string source_path(const char* file);
// "ret ns::fn(args)" as std::source_location::function_name() gives it -> "fn".
std::string function_name(const char* pretty);

// Formats the recorded trace for reports (engine-independent data).
std::vector<trace_step> format_trace(const execution& exec);

// The readers a grace period beginning now waits for.
grace_period grace_period_snapshot(const execution& exec);
// The threads `gp` still waits for, after dropping those that have left.
unsigned grace_period_waiting(const execution& exec, grace_period& gp);

}  // namespace kernel::detail
MMCHECK_ENGINE_END
