// Lock-order checking in the manner of the kernel's lockdep
// (kernel/locking/lockdep.c): every blocking acquisition made while other locks
// are held adds dependencies "held class -> new class" to a per-execution graph;
// a new dependency that closes a cycle, or taking a class already held, is a
// potential deadlock (lock-order-inversion) even if this execution did not
// deadlock. Also the lock-balance check at thread exit (lockdep's
// debug_check_no_locks_held()).
//
// A lock class is the lock's label name ("ptl", "mm->mmap_lock",
// "mapping->i_mmap_rwsem", "PG_locked", ...), so every split ptl is one class as
// every ptlock_init()'ed lock is in the kernel, plus the subclass that
// spin_lock_nested() gives ("ptl/1" for SINGLE_DEPTH_NESTING).
//
// Deviations from lockdep, stated once here: the graph lives for one execution,
// not for the boot, so a verdict depends only on the execution (replay gives the
// same report); shared (read) and exclusive acquisitions are one kind of
// dependency (lockdep's non-recursive read locks behave so for rwsems); a
// successful trylock adds no dependency to itself, but later acquisitions depend
// on it, as in lockdep; irq-safety states are not modeled.
#pragma once

#include <source_location>
#include <vector>

#include "model/kernel/detail/engine_ns.h"
#include "model/kernel/detail/label.h"

MMCHECK_ENGINE_BEGIN
namespace kernel::detail {

struct lock_class {
    const char* name = "?";
    int subclass = 0;
};
bool same_class(const lock_class& a, const lock_class& b);

// "while holding `from` (taken at from_site), thread took `to` at to_site": the
// first acquisition that recorded this dependency, printed as its chain.
struct lock_dependency {
    lock_class from;
    lock_class to;
    int thread = 0;
    std::source_location from_site;
    std::source_location to_site;
};

struct lock_dependencies {
    std::vector<lock_dependency> edges;
    void clear() { edges.clear(); }
};

}  // namespace kernel::detail
MMCHECK_ENGINE_END
