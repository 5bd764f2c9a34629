// See split.h. The enumeration is a strategy of its own: depth-first over the
// decisions above the cut, sleep sets as in dpor.cpp, and each execution abandoned
// as soon as it reaches the cut, its decision stack kept as a prefix.
#include "checker/mc/split.h"

#include "model/kernel/detail/execution.h"

namespace mmcheck::mc {

namespace {

class prefix_enumerator final : public strategy {
public:
    prefix_enumerator(unsigned depth, bool sleep_sets) : depth_(depth), sleep_sets_(sleep_sets) {}

    bool begin_execution() override {
        thread_nodes_ = 0;
        last_thread_node_ = -1;
        if (!started_) return started_ = true;
        while (!tree_.nodes.empty()) {
            if (tree_.next_choice()) break;
            if (tree_.nodes.empty()) break;
            tree_node& n = tree_.nodes.back();
            if (n.is_choice) continue;
            n.done |= bit(static_cast<int>(n.chosen));
            const thread_mask todo = n.enabled & ~n.done & ~n.sleep;
            if (todo) {
                n.chosen = static_cast<unsigned>(lowest(todo));
                break;
            }
            tree_.nodes.pop_back();
        }
        tree_.pos = 0;
        return !tree_.nodes.empty();
    }

    int pick_thread(const decision_view& view) override {
        if (tree_.replaying()) {
            tree_node& n = tree_.next();
            if (n.is_choice) return -1;  // the model diverged from its own replay
            note_thread_node();
            return static_cast<int>(n.chosen);
        }
        if (thread_nodes_ == depth_) {
            prefixes_.push_back(tree_.nodes);
            return -1;
        }
        tree_node n;
        n.enabled = view.enabled;
        n.last = view.last;
        n.pending = *view.pending;
        if (sleep_sets_) n.sleep = inherited_sleep();
        const thread_mask awake = n.enabled & ~n.sleep;
        if (awake == 0) return -1;  // every continuation is covered by an earlier prefix
        n.chosen = static_cast<unsigned>(preferred(awake, view.last));
        tree_.push(n);
        note_thread_node();
        return static_cast<int>(n.chosen);
    }

    unsigned pick_choice(unsigned n) override { return tree_.choice(n); }

    // An execution that ended above the cut is a subtree of one execution.
    void end_execution(const event_log&, execution_end end) override {
        if (end != execution_end::abandoned) prefixes_.push_back(tree_.nodes);
    }

    std::string bound() const override { return "the prefixes of a split search"; }
    std::vector<std::vector<tree_node>> take() { return std::move(prefixes_); }
    bool reached_cut() const { return reached_cut_; }

private:
    void note_thread_node() {
        last_thread_node_ = static_cast<int>(tree_.pos) - 1;
        if (++thread_nodes_ == depth_) reached_cut_ = true;
    }

    // A thread asleep at the parent, or explored from it earlier, stays asleep while
    // the steps taken commute with its pending one (dpor.cpp does the same).
    thread_mask inherited_sleep() const {
        if (last_thread_node_ < 0) return 0;
        const tree_node& parent = tree_.nodes[static_cast<std::size_t>(last_thread_node_)];
        const access& ran = parent.pending[parent.chosen];
        const thread_mask carried = (parent.sleep | parent.done) & ~bit(static_cast<int>(parent.chosen));
        thread_mask sleep = 0;
        for (int q = 0; q < max_threads; ++q)
            if ((carried & bit(q)) && !dependent(parent.pending[q], ran)) sleep |= bit(q);
        return sleep;
    }

    unsigned depth_;
    bool sleep_sets_;
    decision_tree tree_;
    std::vector<std::vector<tree_node>> prefixes_;
    unsigned thread_nodes_ = 0;
    int last_thread_node_ = -1;
    bool started_ = false;
    bool reached_cut_ = false;
};

partition enumerate(runtime& rt, const runtime::setup& what, bool sleep_sets, unsigned depth, bool& reached_cut) {
    partition p;
    p.depth = depth;
    prefix_enumerator e(depth, sleep_sets);
    kernel::detail::execution exec;
    while (e.begin_execution()) {
        const execution_end end = rt.run(e, what, exec);
        e.end_execution(rt.log(), end);
        ++p.runs;
    }
    p.prefixes = e.take();
    reached_cut = e.reached_cut();
    return p;
}

}  // namespace

partition split_tree(runtime& rt, const runtime::setup& what, bool sleep_sets, unsigned depth, std::size_t enough) {
    bool reached_cut = false;
    if (depth > 0) return enumerate(rt, what, sleep_sets, depth, reached_cut);
    constexpr unsigned deepest = 12;
    std::uint64_t runs = 0;
    for (unsigned d = 1;; ++d) {
        partition p = enumerate(rt, what, sleep_sets, d, reached_cut);
        runs += p.runs;
        if (p.prefixes.size() >= enough || !reached_cut || d == deepest) {
            p.runs = runs;
            return p;
        }
    }
}

}  // namespace mmcheck::mc
