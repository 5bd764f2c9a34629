// Held-lock tracking, lock-order checking and lock balance (see lockdep.h).
// Compiled once per engine like the rest of the seam.
#include "model/kernel/detail/lockdep.h"

#include <cstring>
#include <string>

#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel::detail {

bool same_class(const lock_class& a, const lock_class& b) {
    return a.subclass == b.subclass && (a.name == b.name || std::strcmp(a.name, b.name) == 0);
}

namespace {

std::string class_name(const lock_class& c) {
    std::string s = c.name;
    if (c.subclass != 0) s += "/" + std::to_string(c.subclass);
    return s;
}

std::string site_text(const site& where) {
    return source_path(where.file_name()) + ":" + std::to_string(where.line());
}

lock_class class_of(const held_lock& h) { return {h.name.what, h.subclass}; }

// Bit locks have no lockdep map in the kernel (lock_page() is a bit in
// page->flags), so lockdep never orders them against anything: a driver locks
// its migrate_vma destination pages while holding the source pages' locks.
bool tracked_by_lockdep(const label& name) { return std::strcmp(name.what, "PG_locked") != 0; }

std::string chain_text(const lock_dependency& d) {
    return "thread " + std::to_string(d.thread) + " took " + class_name(d.to) + " at " + site_text(d.to_site) +
           " while holding " + class_name(d.from) + " (taken at " + site_text(d.from_site) + ")";
}

bool has_edge(const lock_dependencies& g, const lock_class& from, const lock_class& to) {
    for (const lock_dependency& d : g.edges)
        if (same_class(d.from, from) && same_class(d.to, to)) return true;
    return false;
}

// Depth-first search for dependencies leading from `from` to `to`; the path is
// appended to `path` when found. The graph holds a handful of classes.
bool find_path(const lock_dependencies& g, const lock_class& from, const lock_class& to,
               std::vector<const lock_dependency*>& path, std::vector<lock_class>& visited) {
    if (same_class(from, to)) return true;
    for (const lock_class& v : visited)
        if (same_class(v, from)) return false;
    visited.push_back(from);
    for (const lock_dependency& d : g.edges) {
        if (!same_class(d.from, from)) continue;
        path.push_back(&d);
        if (find_path(g, d.to, to, path, visited)) return true;
        path.pop_back();
    }
    return false;
}

std::string inversion_text(const lock_dependency& added, const std::vector<const lock_dependency*>& path) {
    std::string s = "possible circular locking dependency: " + chain_text(added) + "; but earlier ";
    for (std::size_t i = 0; i < path.size(); ++i) s += (i ? "; and " : "") + chain_text(*path[i]);
    return s + ": these orders can deadlock";
}

// Adds the dependencies of taking `next` while holding `t`'s locks; returns the
// finding, empty when the order is consistent.
std::string add_dependencies(lock_dependencies& g, const thread_state& t, int self, const lock_class& next,
                             const site& where) {
    for (int i = 0; i < t.nheld; ++i) {
        const held_lock& h = t.held[i];
        if (!tracked_by_lockdep(h.name)) continue;
        const lock_class held = class_of(h);
        if (same_class(held, next))
            return "possible recursive locking: thread " + std::to_string(self) + " takes " + class_name(next) +
                   " at " + site_text(where) + " while already holding " + class_name(held) + " (taken at " +
                   site_text(h.acquired_at) + "); lockdep needs spin_lock_nested() where the kernel nests one class";
        if (has_edge(g, held, next)) continue;
        const lock_dependency added{held, next, self, h.acquired_at, where};
        std::vector<const lock_dependency*> path;
        std::vector<lock_class> visited;
        if (find_path(g, next, held, path, visited)) return inversion_text(added, path);
        g.edges.push_back(added);
    }
    return {};
}

}  // namespace

void note_acquiring(const label& name, int subclass, const site& where) {
    execution* exec = current_execution();
    if (exec == nullptr || !tracked_by_lockdep(name)) return;
    const int self = backend::thread_id();
    std::string finding;
    {
        backend::bookkeeping_guard guard;
        finding = add_dependencies(exec->lock_order, exec->threads[self], self, {name.what, subclass}, where);
    }
    if (!finding.empty()) violation(violation_kind::lock_order, finding, where);
}

void note_acquired(const void* lock, const label& name, lock_mode mode, bool sleeping, const site& where,
                   bool blocking, int subclass) {
    execution* exec = current_execution();
    if (exec == nullptr) return;
    thread_state& t = exec->threads[backend::thread_id()];
    if (sleeping && blocking) {
        for (int i = 0; i < t.nheld; ++i)
            if (!t.held[i].sleeping)
                violation(violation_kind::lock_discipline,
                          "sleeping lock " + kernel_label::to_string(name) + " taken while holding spinlock " +
                              kernel_label::to_string(t.held[i].name),
                          where);
    }
    if (t.nheld == max_held_locks)
        violation(violation_kind::internal_error,
                  "more than " + std::to_string(max_held_locks) + " locks held by one model thread", where);
    t.held[t.nheld++] = held_lock{lock, name, mode, sleeping, subclass, where, ++t.acquisitions};
}

void note_released(const void* lock, lock_mode mode, const site& where) {
    execution* exec = current_execution();
    if (exec == nullptr) return;
    thread_state& t = exec->threads[backend::thread_id()];
    for (int i = t.nheld - 1; i >= 0; --i) {
        if (t.held[i].lock != lock) continue;
        if (t.held[i].mode != mode)
            violation(violation_kind::lock_discipline,
                      kernel_label::to_string(t.held[i].name) + " released for " +
                          (mode == lock_mode::shared ? "read" : "write") + " but held for " +
                          (mode == lock_mode::shared ? "write" : "read") + " (taken at " +
                          site_text(t.held[i].acquired_at) + ")",
                      where);
        close_entry_holds(t.held[i], where);  // intermediate_values.h
        for (int j = i; j + 1 < t.nheld; ++j) t.held[j] = t.held[j + 1];
        --t.nheld;
        return;
    }
    violation(violation_kind::lock_discipline, "released a lock this thread does not hold", where);
}

bool holds(const void* lock) {
    execution* exec = current_execution();
    if (exec == nullptr) return false;
    const thread_state& t = exec->threads[backend::thread_id()];
    for (int i = 0; i < t.nheld; ++i)
        if (t.held[i].lock == lock) return true;
    return false;
}

void debug_check_no_locks_held(const site& where) {
    execution* exec = current_execution();
    if (exec == nullptr) return;
    const int self = backend::thread_id();
    const thread_state& t = exec->threads[self];
    if (t.nheld > 0) {
        const held_lock& h = t.held[t.nheld - 1];
        violation(violation_kind::lock_discipline,
                  "thread " + std::to_string(self) + " ended holding " + kernel_label::to_string(h.name) +
                      " (taken here" + (t.nheld > 1 ? ", and " + std::to_string(t.nheld - 1) + " more" : "") + ")",
                  h.acquired_at);
    }
    if (t.rcu_depth > 0)
        violation(violation_kind::lock_discipline,
                  "thread " + std::to_string(self) + " ended inside an RCU read-side section", where);
}

}  // namespace kernel::detail
MMCHECK_ENGINE_END
