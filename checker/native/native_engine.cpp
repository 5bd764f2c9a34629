// The native engine: each execution runs the scenario's threads as real
// std::threads released together from a start line. Used for stress runs and under
// ThreadSanitizer; interleavings are the hardware's, so a failure has no replayable
// schedule (rerun it on a systematic engine for a trace).
#include <atomic>
#include <condition_variable>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "checker/core/interrupt.h"
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
using kernel::detail::execution;

constexpr std::chrono::seconds deadlock_timeout{5};

// One execution and everything its threads touch. Shared by the threads, so that
// it outlives any of them: a thread that has not ended when the driver returns
// must never write into the next run's state (it once did, through a stack
// object, and corrupted the next scenario's held-lock table).
struct native_run {
    execution exec;
    std::unique_ptr<scenario_instance> instance;
    std::atomic<bool> ended{false};  // kernel::backend::native_thread::run_ended
    std::atomic<int> ready{0};
    std::mutex m;
    std::condition_variable cv;
    int finished = 0;
};

// Runs `body` as model thread `index` of `run`; a violation, or the run's end,
// unwinds it.
void as_model_thread(native_run& run, int index, std::uint64_t seed, auto&& body) {
    kernel::detail::current_execution() = &run.exec;
    kernel::backend::this_native_thread() = {index, seed * 0x100000001b3ULL + static_cast<unsigned>(index),
                                             &run.ended};
    try {
        body();
    } catch (const execution_aborted&) {
    }
    kernel::detail::current_execution() = nullptr;
    kernel::backend::this_native_thread() = {};
}

struct run_one_result {
    std::optional<violation_report> violation;
    int abandoned_threads = 0;  // still running when the driver gave up on them
};

run_one_result run_one(const scenario_info& scenario, const variant_info& variant, scenario_factory factory,
                       std::uint64_t seed) {
    auto run = std::make_shared<native_run>();
    run->exec.reset(scenario.threads, false);
    as_model_thread(*run, 0, seed, [&] { run->instance = factory(variant); });
    if (!run->instance) return {run->exec.violation, 0};

    std::vector<std::thread> threads;
    for (int t = 0; t < scenario.threads; ++t) {
        threads.emplace_back([run, t, seed, n = scenario.threads] {
            as_model_thread(*run, t, seed, [&] {
                // A start line, so that the threads overlap instead of running in turn.
                run->ready.fetch_add(1);
                while (run->ready.load() < n) std::this_thread::yield();
                run->instance->run_thread(t);
                kernel::detail::debug_check_no_locks_held();
            });
            std::lock_guard g(run->m);
            ++run->finished;
            run->cv.notify_all();
        });
    }
    const auto all_finished = [&] { return run->finished == scenario.threads; };
    std::unique_lock g(run->m);
    if (!run->cv.wait_for(g, deadlock_timeout, all_finished)) {
        {
            std::lock_guard bg(kernel::backend::bookkeeping_mutex());
            if (!run->exec.violation) {
                violation_report r;
                r.kind = violation_kind::deadlock;
                r.message = "model threads still blocked after " + std::to_string(deadlock_timeout.count()) +
                            " s on real threads: deadlock suspected (run a systematic engine for the wait-for cycle)";
                run->exec.violation = r;
            }
        }
        // Every wait of the native backend sees this within a few milliseconds.
        run->ended.store(true);
        if (!run->cv.wait_for(g, deadlock_timeout, all_finished)) {
            // A wait the backend cannot interrupt: leave those threads their run.
            const int abandoned = scenario.threads - run->finished;
            g.unlock();
            for (auto& th : threads) th.detach();
            static auto* stuck = new std::vector<std::shared_ptr<native_run>>;
            stuck->push_back(run);
            return {run->exec.violation, abandoned};
        }
    }
    g.unlock();
    for (auto& th : threads) th.join();
    if (!run->exec.violation) as_model_thread(*run, 0, seed, [&] { run->instance->finish(); });
    as_model_thread(*run, 0, seed, [&] { run->instance.reset(); });
    return {run->exec.violation, 0};
}

}  // namespace

run_result run_scenario(const run_options& options, const scenario_info& scenario,
                        const variant_info& variant) {
    run_result result;
    const scenario_factory factory = find_scenario_body(scenario.name);
    const std::uint64_t iterations = options.iterations ? options.iterations : 2000;
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };

    for (std::uint64_t i = 0; i < iterations; ++i) {
        ++result.executions;
        run_one_result one = run_one(scenario, variant, factory, options.seed + i);
        if (one.abandoned_threads > 0)
            result.notes.push_back(std::to_string(one.abandoned_threads) +
                                   " model thread(s) could not be stopped and were left running");
        if (one.violation) {
            result.outcome = verdict::violation;
            result.violation = std::move(one.violation);
            result.notes.push_back("native threads: the interleaving is the hardware's and cannot be replayed; "
                                   "rerun with --engine relacy (or mc) for a trace and a replayable schedule");
            break;
        }
        if (options.time_budget_seconds > 0 && elapsed() > options.time_budget_seconds) break;
        if (const int signal = interrupt_signal()) {
            result.notes.push_back(std::string("stopped by ") + interrupt_signal_name(signal) + " after " +
                                   std::to_string(result.executions) + " runs");
            break;
        }
    }
    result.seconds = elapsed();
    result.exhaustive = false;
    result.bound = "stress: " + std::to_string(result.executions) + " runs on real threads";
    return result;
}

MMCHECK_ENGINE_END
