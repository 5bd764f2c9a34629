// Race analysis of one finished execution for source-DPOR (Abdulla, Aronis, Jonsson
// and Sagonas, "Optimal dynamic partial order reduction", POPL 2014, Algorithm 1):
// the happens-before of the execution E (program order plus dependent steps), each
// race e <. e' (dependent steps of different threads, e -> e' with nothing between),
// and for it the initials I[E'](v) of v = notdep(e, E).e' at E' = pre(E, e).
#pragma once

#include <cstddef>
#include <vector>

#include "checker/mc/access.h"

namespace mmcheck::mc {

struct reversal {
    std::size_t at;         // the event e: E' is the prefix before it
    thread_mask initials;   // threads whose first step in v can start v
};

// The reversals of the races whose second event is at index >= from (the earlier
// ones were found in the execution that first ran that prefix).
//
// Deviations from the paper, both for blocking: a race between a lock release and
// a blocked acquire of another thread cannot be reversed (the acquire is not enabled
// before the release), so it is reported as a race with the acquire that started
// the released hold (reversing the order of the critical sections, as Nidhugg
// does); and a retry step that re-reads objects is dependent with writes to them,
// so a write that woke it is a race whose reversal is found blocked by the caller.
std::vector<reversal> find_reversals(const event_log& log, std::size_t from);

}  // namespace mmcheck::mc
