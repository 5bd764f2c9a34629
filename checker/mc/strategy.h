// The scheduler interface every exploration strategy implements (after shuttle's
// scheduler/mod.rs): begin an execution, pick the next thread from the enabled
// set, answer a data choice, and look at the finished execution. One strategy per
// file, each citing its paper; the engine driver (mc_engine.cpp) makes them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "checker/mc/access.h"
#include "checker/mc/schedule_codec.h"
#include "checker/mc/tree.h"

namespace mmcheck::mc {

enum class execution_end {
    complete,   // every thread ran to its end (the final check passed)
    abandoned,  // the strategy gave up on it (sleep-set blocked)
    violation,
};

class strategy {
public:
    virtual ~strategy() = default;
    // False when the search is over.
    virtual bool begin_execution() = 0;
    // A thread in view.enabled, or -1 to abandon this execution as redundant.
    virtual int pick_thread(const decision_view& view) = 0;
    // An answer in [0, n) for the running thread's nondeterministic choice.
    virtual unsigned pick_choice(unsigned n) = 0;
    virtual void end_execution(const event_log& /*log*/, execution_end /*end*/) {}
    // Whether the execution that just completed is one the search had not counted
    // before (iterative bounding re-runs the executions of lower bounds).
    virtual bool counts() const { return true; }
    virtual bool exhaustive() const { return false; }
    // What was explored, for people: "DPOR (source sets + sleep sets), exhaustive".
    virtual std::string bound() const = 0;
    virtual void add_notes(std::vector<std::string>& /*notes*/) const {}
    // An estimate in [0, 1] of how much of an exhaustive search is done; -1: none.
    virtual double fraction_done() const { return -1; }
};

// The exhaustive searches start from a prefix of the decision tree (a subtree of a
// split search, split.h): its nodes are replayed and never backtracked into.
std::unique_ptr<strategy> make_dfs(std::vector<tree_node> prefix = {});
std::unique_ptr<strategy> make_dpor(std::vector<tree_node> prefix = {});
std::unique_ptr<strategy> make_bounded(unsigned preemptions);
std::unique_ptr<strategy> make_pct(std::uint64_t seed, unsigned depth, std::uint64_t iterations);
std::unique_ptr<strategy> make_random(std::uint64_t seed, std::uint64_t iterations);
std::unique_ptr<strategy> make_replay(std::vector<decision> decisions);

// The lowest thread in a mask, or -1.
inline int lowest(thread_mask m) { return m ? __builtin_ctz(m) : -1; }

}  // namespace mmcheck::mc
