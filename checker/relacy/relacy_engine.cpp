// The Relacy engine: the only file that includes Relacy (its headers redefine new,
// delete, malloc and assert). It implements the opaque backend objects declared in
// model/kernel/detail/backend_relacy.h on Relacy's atomics, vars and mutexes, and
// drives a scenario through rl::simulate with the full-search, context-bound or
// random scheduler. Relacy's final_state string is the replayable schedule.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "checker/core/interrupt.h"
#include "checker/core/run.h"
#include "model/kernel/detail/backend.h"
#include "model/kernel/detail/execution.h"
#include "model/kernel/detail/record.h"
#include "scenarios/body.h"

#include <relacy/relacy.hpp>
// Relacy's allocation and assert macros are for Relacy test code; this file only
// needs its classes.
#undef new
#undef delete
#undef malloc
#undef calloc
#undef realloc
#undef free
#undef assert

MMCHECK_ENGINE_BEGIN

namespace kernel::backend {

namespace {

using rl_atomic = rl::atomic<word>;
using rl_var = rl::var<word>;
struct rw_tag;
using rl_rwlock = rl::generic_mutex<rw_tag>;

static_assert(sizeof(rl_atomic) <= 64 && sizeof(rl_var) <= 48 && sizeof(rl_rwlock) <= 32,
              "grow the opaque storage in backend_relacy.h");

template <class T, std::size_t N>
T& as(opaque<N>& storage) {
    return *std::launder(reinterpret_cast<T*>(storage.bytes));
}

rl::debug_info info(const site& where) {
    return rl::debug_info(where.function_name(), where.file_name(), where.line());
}

rl::memory_order to_rl(mo order) {
    switch (order) {
        case mo::relaxed: return rl::mo_relaxed;
        case mo::consume: return rl::mo_acquire;
        case mo::acquire: return rl::mo_acquire;
        case mo::release: return rl::mo_release;
        case mo::acq_rel: return rl::mo_acq_rel;
        case mo::seq_cst: return rl::mo_seq_cst;
    }
    return rl::mo_seq_cst;
}

}  // namespace

atomic_word::atomic_word(word initial) { ::new (storage_.bytes) rl_atomic(initial); }
atomic_word::~atomic_word() { as<rl_atomic>(storage_).~rl_atomic(); }
word atomic_word::load(mo order, const site& where) const {
    return as<rl_atomic>(storage_).load(to_rl(order), info(where));
}
void atomic_word::store(word v, mo order, const site& where) {
    as<rl_atomic>(storage_).store(v, to_rl(order), info(where));
}
word atomic_word::exchange(word v, mo order, const site& where) {
    return as<rl_atomic>(storage_).exchange(v, to_rl(order), info(where));
}
word atomic_word::fetch_add(word delta, mo order, const site& where) {
    return as<rl_atomic>(storage_).fetch_add(delta, to_rl(order), info(where));
}
bool atomic_word::compare_exchange(word& expected, word desired, mo order, const site& where) {
    return as<rl_atomic>(storage_).compare_exchange_strong(expected, desired, to_rl(order), info(where));
}

plain_word::plain_word(word initial) { ::new (storage_.bytes) rl_var(initial); }
plain_word::~plain_word() { as<rl_var>(storage_).~rl_var(); }
word plain_word::read(const site& where) const { return as<rl_var>(storage_)(info(where)).load(); }
void plain_word::write(word v, const site& where) { as<rl_var>(storage_)(info(where)).store(v); }

mutex::mutex() {
    ::new (storage_.bytes) rl_rwlock();
    as<rl_rwlock>(storage_).init(false, false, false, false, info(std::source_location::current()));
}
mutex::~mutex() {
    as<rl_rwlock>(storage_).deinit(info(std::source_location::current()));
    as<rl_rwlock>(storage_).~rl_rwlock();
}
void mutex::lock(const site& where) { as<rl_rwlock>(storage_).lock_exclusive(info(where)); }
bool mutex::try_lock(const site& where) { return as<rl_rwlock>(storage_).try_lock_exclusive(info(where)); }
void mutex::unlock(const site& where) { as<rl_rwlock>(storage_).unlock_exclusive(info(where)); }

rwsem::rwsem() {
    ::new (storage_.bytes) rl_rwlock();
    as<rl_rwlock>(storage_).init(true, false, false, false, info(std::source_location::current()));
}
rwsem::~rwsem() {
    as<rl_rwlock>(storage_).deinit(info(std::source_location::current()));
    as<rl_rwlock>(storage_).~rl_rwlock();
}
void rwsem::lock_shared(const site& where) { as<rl_rwlock>(storage_).lock_shared(info(where)); }
bool rwsem::try_lock_shared(const site& where) { return as<rl_rwlock>(storage_).try_lock_shared(info(where)); }
void rwsem::unlock_shared(const site& where) { as<rl_rwlock>(storage_).unlock_shared(info(where)); }
void rwsem::lock(const site& where) { as<rl_rwlock>(storage_).lock_exclusive(info(where)); }
bool rwsem::try_lock(const site& where) { return as<rl_rwlock>(storage_).try_lock_exclusive(info(where)); }
void rwsem::unlock(const site& where) { as<rl_rwlock>(storage_).unlock_exclusive(info(where)); }
void rwsem::downgrade(const site& where) {
    as<rl_rwlock>(storage_).unlock_exclusive(info(where));
    as<rl_rwlock>(storage_).lock_shared(info(where));
}

void fence(mo order, const site& where) { rl::atomic_thread_fence(to_rl(order), info(where)); }
unsigned choose(unsigned n, const site&) { return rl::rand(n); }
int thread_id() { return static_cast<int>(rl::thread_index()); }
void retry_hint(const site& where) { rl::yield(1, info(where)); }

// RCU: the read side's entry is a full barrier; Relacy cannot block a thread on
// checker state, so a grace period spins with a yield (a retry loop to Relacy).
void rcu_read_enter(const site& where) { fence(mo::seq_cst, where); }
void rcu_read_exit(const site&) {}
void grace_period_begin(const site&) {}
void grace_period_wait(detail::grace_period& gp, const site& where) {
    while (detail::grace_period_waiting(*detail::current_execution(), gp) != 0) retry_hint(where);
}

void abort_execution() {
    rl::ctx().fail_test("mmcheck violation", rl::test_result_user_assert_failed,
                        info(std::source_location::current()));
    __builtin_unreachable();  // fail_test switches to Relacy's main fiber for good
}

}  // namespace kernel::backend

namespace {

using kernel::detail::execution;

// What the Relacy test suite runs. Relacy default-constructs its test type, so the
// run's parameters reach it through this one pointer, set for the length of
// rl::simulate and owned by run_scenario's stack frame.
struct relacy_run {
    const variant_info* variant = nullptr;
    scenario_factory factory = nullptr;
    int threads = 0;
    bool tracing = false;
    double budget_seconds = 0;  // 0: none
    bool progress = false;
    bool out_of_time = false;
    std::uint64_t executions = 0;
    std::chrono::steady_clock::time_point start;
    std::chrono::steady_clock::time_point last_progress;
    execution exec;
    std::unique_ptr<scenario_instance> instance;

    double elapsed() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
};

// The world of an execution Relacy abandoned on failure holds Relacy objects whose
// destructors would touch a finished simulation: such worlds are parked here, never
// destroyed, and stay reachable (one per failing run, so this does not grow in loops
// that pass).
void park_abandoned(std::unique_ptr<scenario_instance> instance) {
    static auto* graveyard = new std::vector<scenario_instance*>;
    graveyard->push_back(instance.release());
}
relacy_run* active_run = nullptr;

// Relacy replaces the global operator new/delete for the whole program and, inside
// a simulation, serves allocations from a per-iteration heap it checks for leaks.
// The model's own memory (the trace, std::vector in scenario state) must outlive
// iterations, so allocations are kept on malloc: Relacy does that whenever its
// protected disable_alloc_ counter is positive.
struct relacy_allocation_switch : rl::context {
    static void use_malloc(rl::context& c) {
        int rl::context::*counter = &relacy_allocation_switch::disable_alloc_;
        if (c.*counter == 0) c.*counter = 1;
    }
};

template <int Threads>
struct scenario_suite : rl::test_suite<scenario_suite<Threads>, Threads> {
    void before() {
        relacy_allocation_switch::use_malloc(rl::ctx());
        relacy_run& run = *active_run;
        if (run.instance) park_abandoned(std::move(run.instance));
        ++run.executions;
        // Every 16th execution: a scenario execution under ASan can take 80 ms, and
        // checking only every 1024th let a 1 s budget run for 84 s.
        if ((run.executions & 15) == 0) check_clock(run);
        // The initial state is built untraced: the trace starts with the threads.
        run.exec.reset(run.threads, false);
        kernel::detail::current_execution() = &run.exec;
        run.instance = run.factory(*run.variant);
        run.exec.tracing = run.tracing;
    }

    // Progress lines and the time budget; Relacy has neither, so the suite stops it
    // with its "until" condition, which ends the search at once.
    static void check_clock(relacy_run& run) {
        const auto now = std::chrono::steady_clock::now();
        if (run.progress && now - run.last_progress > std::chrono::seconds(5)) {
            run.last_progress = now;
            std::fprintf(stderr, "progress: %llu executions, %.0f s\n",
                         static_cast<unsigned long long>(run.executions), run.elapsed());
        }
        if ((run.budget_seconds > 0 && run.elapsed() > run.budget_seconds) || interrupt_signal() != 0) {
            run.out_of_time = true;  // the budget, or a user's: the same unfinished search
            rl::ctx().rl_until("time budget", kernel::backend::info(std::source_location::current()));
        }
    }
    void thread(unsigned index) {
        active_run->instance->run_thread(static_cast<int>(index));
        kernel::detail::debug_check_no_locks_held();
    }
    void after() {
        active_run->instance->finish();
        active_run->instance.reset();
    }
};

rl::scheduler_type_e to_scheduler(search_kind search) {
    switch (search) {
        case search_kind::bounded: return rl::fair_context_bound_scheduler_type;
        case search_kind::random: return rl::random_scheduler_type;
        default: return rl::fair_full_search_scheduler_type;
    }
}

template <int Threads>
bool simulate(rl::test_params& params) {
    return rl::simulate<scenario_suite<Threads>>(params);
}

bool simulate_for(int threads, rl::test_params& params) {
    switch (threads) {
        case 2: return simulate<2>(params);
        case 3: return simulate<3>(params);
        default: return simulate<4>(params);
    }
}

// What to explore: from the options, or from the schedule being replayed.
struct relacy_plan {
    search_kind search = search_kind::bounded;
    unsigned bound = 2;
    std::string state;  // Relacy's "<iteration> <scheduler state>", replay only
};

// Schedules are "relacy:<search>:<bound>:<Relacy final_state>"; the dispatcher has
// checked the shape.
relacy_plan plan_for(const run_options& options) {
    relacy_plan plan{*options.search, *options.preemptions, {}};
    if (!options.schedule) return plan;
    const std::string& s = *options.schedule;
    const auto first = s.find(':') + 1;
    const auto second = s.find(':', first) + 1;
    const auto third = s.find(':', second) + 1;
    plan.search = parse_search(s.substr(first, second - first - 1)).value_or(search_kind::full);
    plan.bound = static_cast<unsigned>(std::stoul(s.substr(second, third - second - 1)));
    plan.state = s.substr(third);
    return plan;
}

std::string encode_schedule(const relacy_plan& plan, const std::string& state) {
    return "relacy:" + std::string(search_name(plan.search)) + ":" + std::to_string(plan.bound) + ":" + state;
}

std::string describe_bound(const relacy_plan& plan, const run_options& options, std::uint64_t iterations) {
    switch (plan.search) {
        case search_kind::bounded:
            return "context bound " + std::to_string(plan.bound) + " (Relacy fair context-bound search)";
        case search_kind::random:
            return std::to_string(iterations) + " random schedules from seed " + std::to_string(options.seed);
        default: return "every interleaving (Relacy fair full search)";
    }
}

violation_report relacy_finding(rl::test_result_e res) {
    // Relacy itself found something: a data race on a plain word, a deadlock, a
    // livelock, or a misuse of a Relacy object.
    violation_report r;
    r.kind = res == rl::test_result_data_race ? violation_kind::data_race
             : res == rl::test_result_deadlock ? violation_kind::deadlock
             : res == rl::test_result_livelock ? violation_kind::livelock
                                               : violation_kind::lock_discipline;
    r.message = std::string("Relacy: ") + rl::test_result_str(res);
    return r;
}

}  // namespace

run_result run_scenario(const run_options& options, const scenario_info& scenario,
                        const variant_info& variant) {
    run_result result;
    const relacy_plan plan = plan_for(options);
    relacy_run run;
    run.variant = &variant;
    run.factory = find_scenario_body(scenario.name);
    run.threads = scenario.threads;
    run.tracing = true;
    run.budget_seconds = options.schedule ? 0 : options.time_budget_seconds;
    run.progress = options.progress;

    rl::test_params params;
    std::ostringstream relacy_output;
    params.output_stream = &relacy_output;
    params.progress_stream = &relacy_output;
    params.search_type = to_scheduler(plan.search);
    params.context_bound = plan.bound;
    const std::uint64_t iterations = options.iterations ? options.iterations : scenario.bounds.random_iterations;
    std::uint64_t first_iteration = 0;
    params.iteration_count = iterations;
    if (plan.search == search_kind::random) {
        // The random scheduler seeds each iteration with its number and stops at
        // iteration_count: a seed is where the run starts counting.
        first_iteration = options.seed;
        params.initial_state = std::to_string(options.seed) + " ";
        params.iteration_count = options.seed + iterations;
    }
    if (options.schedule) {
        // Relacy resumes at the saved iteration and stops at iteration_count, which
        // the replayed execution fails before reaching.
        params.initial_state = plan.state.c_str();
        first_iteration = std::stoull(plan.state);
        params.iteration_count = first_iteration + 1;
    }

    run.start = std::chrono::steady_clock::now();
    active_run = &run;
    const bool passed = simulate_for(scenario.threads, params);
    active_run = nullptr;
    if (run.instance) park_abandoned(std::move(run.instance));
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run.start).count();

    result.executions = params.stop_iteration - first_iteration + (passed ? 0 : 1);
    result.bound = describe_bound(plan, options, iterations);
    result.exhaustive = plan.search != search_kind::random && !options.schedule;
    if (run.out_of_time) {
        result.outcome = verdict::incomplete;
        result.executions = run.executions - 1;
        result.exhaustive = false;
        result.notes.push_back(unfinished_search_note(run.budget_seconds, "raise --time-budget or lower --preemptions"));
    } else if (passed && params.test_result == rl::test_result_success) {
        result.outcome = verdict::pass;
    } else {
        result.outcome = verdict::violation;
        result.violation = run.exec.violation ? *run.exec.violation : relacy_finding(params.test_result);
        result.trace = kernel::detail::format_trace(run.exec);
        result.schedule = encode_schedule(plan, std::string(params.final_state.c_str()));
    }
    return result;
}

MMCHECK_ENGINE_END
