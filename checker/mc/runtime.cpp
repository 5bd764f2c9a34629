// The scheduler loop of one execution, thread suspension at seam operations, and
// blocking: lock waits and retry loops (await-style, as GenMC's spin-assume) make a
// thread not enabled; when no live thread is enabled the run reports a deadlock
// (with the wait-for cycle) or a livelock, from inside a stuck thread so that the
// seam records it like any other violation.
#include "checker/mc/runtime.h"

#include <utility>

#include "model/kernel/detail/record.h"

namespace mmcheck::mc {

namespace ctx = boost::context;

runtime::runtime() : stacks_(this_thread_stacks()) {}

runtime::~runtime() { teardown(); }

runtime*& runtime::active() {
    static thread_local runtime* running = nullptr;
    return running;
}

void runtime::step(op kind, std::uint32_t obj, const std::source_location& where) {
    if (direct_) return;
    model_thread& th = threads_[current_];
    th.pending = kind;
    th.obj = obj;
    th.where = where;
    if (kind == op::retry) th.others_at_hint = total_steps_ - th.steps;
    th.main = std::move(th.main).resume();
    if (th.stuck != violation_kind::none) {
        const violation_kind kind_found = std::exchange(th.stuck, violation_kind::none);
        kernel::detail::violation(kind_found, th.stuck_message, where);
    }
    if (kind == op::retry) th.read_set.clear();
}

void runtime::note_read(std::uint32_t obj) {
    if (direct_) return;
    // The first version read in this iteration of a retry loop: if the loop read
    // the location again after another thread changed it, the next iteration sees
    // something its previous one did not, so it is not waiting.
    for (const auto& read : threads_[current_].read_set)
        if (read.first == obj) return;
    threads_[current_].read_set.emplace_back(obj, arena_[obj].version);
}

void runtime::note_write(std::uint32_t obj) {
    if (direct_) return;
    const std::uint32_t version = ++arena_[obj].version;
    // The writer's own change is not news to its own retry loop, but one another
    // thread made since this iteration read the location still is: a write on
    // top of it must not hide it (the loop would then wait for a write that
    // already happened, and a livelock would be reported where there is none).
    for (auto& [o, seen] : threads_[current_].read_set)
        if (o == obj && seen + 1 == version) seen = version;
}

void runtime::wait_grace_period(kernel::detail::grace_period& gp, const std::source_location& where) {
    if (direct_) return;
    threads_[current_].grace = &gp;
    step(op::grace_wait, rcu_object, where);
    threads_[current_].grace = nullptr;
}

unsigned runtime::choose(unsigned n) {
    if (n <= 1 || strategy_ == nullptr) return 0;
    const unsigned answer = strategy_->pick_choice(n);
    decisions_.push_back({true, answer});
    return answer;
}

bool runtime::enabled(const model_thread& th) const {
    const object_state& o = arena_[th.obj];
    switch (th.pending) {
        case op::lock:
        case op::lock_shared: return o.owner < 0;
        case op::rw_lock: return o.owner < 0 && o.readers == 0;
        case op::retry:
            if (th.read_set.empty()) return total_steps_ - th.steps > th.others_at_hint;
            for (const auto& [obj, seen] : th.read_set)
                if (arena_[obj].version != seen) return true;
            return false;
        case op::grace_wait: return kernel::detail::grace_period_waiting(*exec_, *th.grace) == 0;
        default: return true;
    }
}

access runtime::pending_access(const model_thread& th) const {
    switch (th.pending) {
        case op::load:
        case op::plain_read: return {th.obj, access_kind::read};
        case op::fence: return {global_object, access_kind::none};
        case op::add: return {th.obj, access_kind::add};
        case op::fence_sc: return {global_object, access_kind::write};
        case op::lock_shared:
        case op::try_lock_shared:
        case op::unlock_shared:
        case op::rcu_lock:
        case op::rcu_unlock: return {th.obj, access_kind::shared};
        case op::retry: {
            if (th.read_set.empty()) return {global_object, access_kind::any};
            access a{global_object, access_kind::rereads};
            for (const auto& read : th.read_set) a.reread |= object_bit(read.first);
            return a;
        }
        default: return {th.obj, access_kind::write};
    }
}

void runtime::log_step(int t) {
    const model_thread& th = threads_[t];
    event e;
    e.thread = static_cast<std::uint8_t>(t);
    e.acc = pending_access(th);
    switch (th.pending) {
        case op::lock:
        case op::lock_shared:
        case op::rw_lock:
        case op::grace_wait: e.role = step_role::blocking_acquire; break;
        case op::unlock:
        case op::unlock_shared:
        case op::rw_unlock:
        case op::downgrade:
        case op::rcu_unlock:
        case op::rcu_unlock_ending:
            e.role = step_role::release;
            e.pair = arena_[th.obj].acquired_at[t];
            break;
        case op::retry:
            e.role = step_role::retry;
            e.reads_begin = static_cast<std::uint32_t>(log_.retry_reads.size());
            for (const auto& read : th.read_set) log_.retry_reads.push_back(read.first);
            e.reads_end = static_cast<std::uint32_t>(log_.retry_reads.size());
            break;
        default: break;
    }
    last_event_[t] = static_cast<std::int32_t>(log_.events.size());
    log_.events.push_back(e);
}

void runtime::resume(int t) {
    current_ = t;
    direct_ = false;
    threads_[t].fiber = std::move(threads_[t].fiber).resume();
    direct_ = true;
}

void runtime::start_threads(const setup& what, kernel::detail::execution& exec) {
    for (int i = 0; i < what.threads && !exec.violation; ++i) {
        threads_[i].live = true;
        threads_[i].fiber = ctx::fiber(std::allocator_arg, pooled_stack{&stacks_}, [this, i](ctx::fiber&& main) {
            model_thread& self = threads_[i];
            self.main = std::move(main);
            try {
                instance_->run_thread(i);
                kernel::detail::debug_check_no_locks_held();
            } catch (const execution_aborted&) {
            }
            self.live = false;
            return std::move(self.main);
        });
        resume(i);  // local code up to the first seam operation
    }
}

execution_end runtime::run(strategy& s, const setup& what, kernel::detail::execution& exec) {
    strategy_ = &s;
    nthreads_ = what.threads;
    total_steps_ = 0;
    last_event_.fill(-1);
    arena_.reset();
    hb_.reset();
    log_.clear();
    decisions_.clear();
    for (model_thread& th : threads_) th = model_thread{};
    exec.reset(what.threads, false);
    exec_ = &exec;
    kernel::detail::current_execution() = &exec;
    active() = this;
    direct_ = true;
    current_ = 0;

    execution_end end = execution_end::complete;
    try {
        instance_ = what.factory(*what.variant);  // the initial state, untraced
    } catch (const execution_aborted&) {
    }
    exec.tracing = what.tracing;
    if (instance_ && !exec.violation) start_threads(what, exec);
    int last = -1;
    while (!exec.violation && instance_) {
        thread_mask live = 0, ready = 0;
        std::array<access, max_threads> pending{};
        for (int t = 0; t < nthreads_; ++t) {
            if (!threads_[t].live) continue;
            live |= bit(t);
            pending[t] = pending_access(threads_[t]);
            if (enabled(threads_[t])) ready |= bit(t);
        }
        if (live == 0) break;
        if (ready == 0 || total_steps_ >= what.max_steps) {
            report_stuck(live, ready != 0, exec);
            break;
        }
        const int t = s.pick_thread({ready, last, nthreads_, &pending});
        if (t < 0 || !(ready & bit(t))) {
            end = execution_end::abandoned;
            break;
        }
        decisions_.push_back({false, static_cast<unsigned>(t)});
        log_step(t);
        hb_.tick(t);
        ++threads_[t].steps;
        ++total_steps_;
        last = t;
        resume(t);
    }
    if (end == execution_end::complete && !exec.violation && instance_) {
        current_ = 0;
        try {
            instance_->finish();
        } catch (const execution_aborted&) {
        }
    }
    if (exec.violation) end = execution_end::violation;
    teardown();
    kernel::detail::current_execution() = nullptr;
    active() = nullptr;
    strategy_ = nullptr;
    return end;
}

void runtime::teardown() {
    // Destroying a suspended fiber unwinds its stack; seam operations met on the way
    // run directly.
    direct_ = true;
    for (int t = 0; t < max_threads; ++t) {
        if (!threads_[t].fiber) continue;
        current_ = t;
        threads_[t].fiber = ctx::fiber{};
    }
    current_ = 0;
    instance_.reset();
}

}  // namespace mmcheck::mc
