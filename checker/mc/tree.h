// The decision stack of the stateless exhaustive strategies (dfs, bounded, dpor):
// one node per scheduling point or data choice of the current execution. A new
// execution replays the stack's decisions up to the node that was changed, then
// extends it.
#pragma once

#include <array>
#include <cstddef>
#include <utility>
#include <vector>

#include "checker/mc/access.h"

namespace mmcheck::mc {

struct tree_node {
    bool is_choice = false;
    unsigned options = 0;  // choice: number of answers
    unsigned chosen = 0;   // thread, or answer
    thread_mask enabled = 0;
    thread_mask done = 0;       // explored from here
    thread_mask backtrack = 0;  // DPOR: still to explore from here
    thread_mask sleep = 0;      // DPOR: covered by an explored sibling
    int last = -1;              // the thread that ran before this point
    unsigned preemptions = 0;   // bounded: preemptive switches before this point
    std::array<access, max_threads> pending{};  // DPOR: each thread's next step here
};

class decision_tree {
public:
    std::vector<tree_node> nodes;
    std::size_t pos = 0;
    std::size_t frozen = 0;  // nodes of a split search's prefix: replayed, never changed

    decision_tree() = default;
    explicit decision_tree(std::vector<tree_node> prefix) : nodes(std::move(prefix)), frozen(nodes.size()) {}
    // Whether the search is over: nothing below the prefix is left to change.
    bool exhausted() const { return nodes.size() <= frozen; }

    bool replaying() const { return pos < nodes.size(); }
    tree_node& next() { return nodes[pos++]; }
    tree_node& push(const tree_node& n) {
        nodes.push_back(n);
        pos = nodes.size();
        return nodes.back();
    }
    // Data choices are explored exhaustively, the same way by every strategy here.
    unsigned choice(unsigned n) {
        if (replaying()) return next().chosen;
        tree_node c;
        c.is_choice = true;
        c.options = n;
        return push(c).chosen;
    }
    // Moves the last choice node with an untried answer to it; pops what is
    // below. False if the deepest node is a thread node (the caller handles it).
    bool next_choice() {
        tree_node& n = nodes.back();
        if (!n.is_choice) return false;
        if (n.chosen + 1 < n.options) {
            ++n.chosen;
            return true;
        }
        nodes.pop_back();
        return false;
    }
};

// How much of the tree lies left of the current path, for progress lines: at each
// node, the branches done before the current one over all its branches known so far
// (`branches` gives them for a thread node), each subtree assumed as large as its
// siblings, the estimate "proportion of the search space explored" that Kilby,
// Slaney, Thiebaux and Walsh compare with Knuth's estimator ("Estimating search tree
// size", AAAI 2006). DPOR's branches grow as races are found, so it runs ahead.
template <class Branches>
double fraction_left_of_path(const decision_tree& tree, Branches branches) {
    double done = 0, weight = 1;
    for (std::size_t i = tree.frozen; i < tree.nodes.size(); ++i) {
        const tree_node& n = tree.nodes[i];
        const unsigned total = n.is_choice ? n.options : static_cast<unsigned>(__builtin_popcount(branches(n)));
        const unsigned before =
            n.is_choice ? n.chosen : static_cast<unsigned>(__builtin_popcount(n.done & ~(1u << n.chosen)));
        if (total == 0) break;
        done += weight * before / total;
        weight /= total;
    }
    return done;
}

// The thread to run when a strategy has no reason to switch: the one that ran
// last if it can, else the lowest (fewest context switches first).
inline int preferred(thread_mask allowed, int last) {
    if (last >= 0 && (allowed & bit(last))) return last;
    return allowed ? __builtin_ctz(allowed) : -1;
}

}  // namespace mmcheck::mc
