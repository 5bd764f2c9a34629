// The native engine: each execution runs the scenario's threads as real
// std::threads released together from a start line. Used for stress runs and under
// ThreadSanitizer; interleavings are the hardware's, so a failure has no replayable
// schedule (rerun it on a systematic engine for a trace).
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <chrono>
#include <thread>
#include <vector>

#include "checker/core/run.h"
#include "model/kernel/detail/backend.h"
#include "model/kernel/detail/execution.h"
#include "model/kernel/detail/record.h"
#include "scenarios/body.h"

MMCHECK_ENGINE_BEGIN

namespace kernel::backend {
native_thread& this_native_thread() {
    static thread_local native_thread self;
    return self;
}
std::mutex& bookkeeping_mutex() {
    static std::mutex m;
    return m;
}
// Real threads cannot be told to block on checker state: spin.
void grace_period_wait(detail::grace_period& gp, const site& where) {
    for (;;) {
        {
            bookkeeping_guard guard;
            if (detail::grace_period_waiting(*detail::current_execution(), gp) == 0) return;
        }
        retry_hint(where);
    }
}
}  // namespace kernel::backend

namespace {

using kernel::backend::execution_aborted;

constexpr std::chrono::seconds deadlock_timeout{5};
using kernel::detail::execution;

// Runs `body` as model thread `index` of `exec`; a violation unwinds it.
void as_model_thread(execution& exec, int index, std::uint64_t seed, auto&& body) {
    kernel::detail::current_execution() = &exec;
    kernel::backend::this_native_thread() = {index, seed * 0x100000001b3ULL + static_cast<unsigned>(index)};
    try {
        body();
    } catch (const execution_aborted&) {
    }
    kernel::detail::current_execution() = nullptr;
}

bool run_one(execution& exec, const scenario_info& scenario, const variant_info& variant,
             scenario_factory factory, std::uint64_t seed) {
    exec.reset(scenario.threads, false);
    std::unique_ptr<scenario_instance> instance;
    as_model_thread(exec, 0, seed, [&] { instance = factory(variant); });
    if (!instance) return exec.violation.has_value();

    // Shared with the threads, and kept alive past a suspected deadlock: threads
    // still blocked then are detached and never end.
    struct start_and_finish {
        std::atomic<int> ready{0};
        std::mutex m;
        std::condition_variable cv;
        int finished = 0;
    };
    auto sync = std::make_shared<start_and_finish>();
    std::vector<std::thread> threads;
    for (int t = 0; t < scenario.threads; ++t) {
        threads.emplace_back([&exec, &instance, sync, t, seed, n = scenario.threads] {
            as_model_thread(exec, t, seed, [&] {
                // A start line, so that the threads overlap instead of running in turn.
                sync->ready.fetch_add(1);
                while (sync->ready.load() < n) std::this_thread::yield();
                instance->run_thread(t);
                kernel::detail::debug_check_no_locks_held();
            });
            std::lock_guard g(sync->m);
            ++sync->finished;
            sync->cv.notify_all();
        });
    }
    {
        std::unique_lock g(sync->m);
        const bool all_done = sync->cv.wait_for(g, deadlock_timeout, [&] { return sync->finished == scenario.threads; });
        if (!all_done) {
            g.unlock();
            for (auto& th : threads) th.detach();
            static auto* stuck = new std::vector<scenario_instance*>;  // still in use by blocked threads
            stuck->push_back(instance.release());
            violation_report r;
            r.kind = violation_kind::deadlock;
            r.message = "model threads still blocked after " + std::to_string(deadlock_timeout.count()) +
                        " s on real threads: deadlock suspected (run a systematic engine for the wait-for cycle)";
            std::lock_guard bg(kernel::backend::bookkeeping_mutex());
            if (!exec.violation) exec.violation = r;
            return true;
        }
    }
    for (auto& th : threads) th.join();
    if (!exec.violation) as_model_thread(exec, 0, seed, [&] { instance->finish(); });
    as_model_thread(exec, 0, seed, [&] { instance.reset(); });
    return exec.violation.has_value();
}

}  // namespace

run_result run_scenario(const run_options& options, const scenario_info& scenario,
                        const variant_info& variant) {
    run_result result;
    const scenario_factory factory = find_scenario_body(scenario.name);
    const std::uint64_t iterations = options.iterations ? options.iterations : 2000;
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };

    execution exec;
    for (std::uint64_t i = 0; i < iterations; ++i) {
        ++result.executions;
        if (run_one(exec, scenario, variant, factory, options.seed + i)) {
            result.outcome = verdict::violation;
            result.violation = exec.violation;
            result.notes.push_back("native threads: the interleaving is the hardware's and cannot be replayed; "
                                   "rerun with --engine relacy (or mc) for a trace and a replayable schedule");
            break;
        }
        if (options.time_budget_seconds > 0 && elapsed() > options.time_budget_seconds) break;
    }
    result.seconds = elapsed();
    result.exhaustive = false;
    result.bound = "stress: " + std::to_string(result.executions) + " runs on real threads";
    return result;
}

MMCHECK_ENGINE_END
