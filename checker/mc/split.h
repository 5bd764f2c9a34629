// The partition of a split search (--jobs, --shard): the decision tree is cut at a
// fixed number of scheduling decisions. Above the cut every awake enabled thread
// (and every data-choice answer) is a branch, explored depth-first with sleep sets
// (Godefroid, "Partial-order methods for the verification of concurrent systems",
// LNCS 1032, 1996) when the search below is DPOR; each path to the cut is one
// prefix, and the subtree below it is searched by the plain strategy started from
// that prefix (make_dpor(prefix), make_dfs(prefix)). No backtrack point is ever
// needed above the cut, since every branch there is taken, and a prefix's sleep set
// holds only threads whose subtrees come earlier in the order: so the union of the
// subtrees covers every execution the plain search covers, and the prefixes,
// their order and each subtree's counts depend only on the program and the depth,
// never on how many workers run them or in which order they finish.
#pragma once

#include <cstdint>
#include <vector>

#include "checker/mc/runtime.h"
#include "checker/mc/tree.h"

namespace mmcheck::mc {

struct partition {
    unsigned depth = 0;
    std::vector<std::vector<tree_node>> prefixes;  // in depth-first order: subtree i is prefixes[i]
    std::uint64_t runs = 0;                        // executions run to find them
};

// Prefixes of `depth` scheduling decisions (fewer where an execution ends sooner);
// with sleep_sets, those every enabled thread of which sleeps are left out (no
// execution below them is new). depth 0: the smallest depth from 1 to 12 giving
// at least `enough` prefixes, or the deepest tried.
partition split_tree(runtime& rt, const runtime::setup& what, bool sleep_sets, unsigned depth,
                     std::size_t enough = 64);

}  // namespace mmcheck::mc
