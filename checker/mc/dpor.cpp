// Source-DPOR with sleep sets (Abdulla, Aronis, Jonsson and Sagonas, "Optimal dynamic
// partial order reduction", POPL 2014, Algorithm 1), stateless: each execution
// replays the decision stack to the node being changed, then runs on, preferring
// the thread that ran last. After an execution, every race e <. e' whose second
// event is new (dpor_races.h) adds, at E' = pre(E, e), one initial of v to
// backtrack(E') unless an initial is already in backtrack, done or sleep there.
// A sleep set holds the threads whose step from a node was explored by an earlier
// sibling and is independent of the steps taken since; an execution where every
// enabled thread sleeps is redundant and abandoned (counted as sleep-set blocked).
// Deviations: initials that are not enabled at E' (a lock or retry wait) are
// dropped, and a reversal left with none is counted as blocked; data choices are
// explored exhaustively at their own nodes, which commute with scheduling.
// A retry step's pending access is the set of objects its loop iteration read
// (access_kind::rereads), so sleep sets carry a thread past a retry that reads
// none of what it touches; with the step as dependent with everything, sigma(2)
// took 21 executions for its 12 traces, with it 12.
#include "checker/mc/dpor_races.h"
#include "checker/mc/strategy.h"
#include "checker/mc/tree.h"

namespace mmcheck::mc {

namespace {

class dpor final : public strategy {
public:
    explicit dpor(std::vector<tree_node> prefix) : tree_(std::move(prefix)) {}

    bool begin_execution() override {
        event_node_.clear();
        last_thread_node_ = -1;
        if (!started_) return started_ = true;
        if (!backtrack()) return false;
        tree_.pos = 0;
        return true;
    }

    int pick_thread(const decision_view& view) override {
        if (tree_.replaying()) {
            tree_node& n = tree_.next();
            if (n.is_choice) return -1;  // nondeterministic model code: the replay left the stack
            note_event();
            return static_cast<int>(n.chosen);
        }
        tree_node n;
        n.enabled = view.enabled;
        n.last = view.last;
        n.pending = *view.pending;
        if (last_thread_node_ >= 0) {
            const tree_node& parent = tree_.nodes[static_cast<std::size_t>(last_thread_node_)];
            const access& ran = parent.pending[parent.chosen];
            const thread_mask carried = (parent.sleep | parent.done) & ~bit(static_cast<int>(parent.chosen));
            for (int q = 0; q < max_threads; ++q)
                if ((carried & bit(q)) && !dependent(parent.pending[q], ran)) n.sleep |= bit(q);
        }
        const thread_mask awake = n.enabled & ~n.sleep;
        if (awake == 0) {
            ++sleep_blocked_;
            return -1;
        }
        n.chosen = static_cast<unsigned>(preferred(awake, view.last));
        n.backtrack = bit(static_cast<int>(n.chosen));
        tree_.push(n);
        note_event();
        return static_cast<int>(n.chosen);
    }

    unsigned pick_choice(unsigned n) override { return tree_.choice(n); }

    void end_execution(const event_log& log, execution_end end) override {
        if (end == execution_end::violation) return;
        for (const reversal& r : find_reversals(log, first_new_event_)) {
            // A race reversed inside a split search's prefix: every awake thread is
            // explored there anyway, by the partition (split.h).
            if (r.at >= event_node_.size() || event_node_[r.at] < tree_.frozen) continue;
            tree_node& n = tree_.nodes[event_node_[r.at]];
            const thread_mask initials = r.initials & n.enabled;
            ++races_;
            if (initials == 0) {
                ++blocked_reversals_;
                continue;
            }
            if (initials & (n.backtrack | n.done | n.sleep)) continue;
            n.backtrack |= bit(lowest(initials));
        }
    }

    bool exhaustive() const override { return true; }
    double fraction_done() const override {
        return fraction_left_of_path(tree_, [](const tree_node& n) { return (n.backtrack | n.done) & ~n.sleep; });
    }
    std::string bound() const override { return "every execution up to equivalence (source-DPOR with sleep sets), exhaustive"; }
    void add_notes(std::vector<std::string>& notes) const override {
        notes.push_back("DPOR: " + std::to_string(sleep_blocked_) + " sleep-set-blocked executions abandoned, " +
                        std::to_string(races_) + " races analysed, " + std::to_string(blocked_reversals_) +
                        " reversals blocked (lock or retry wait)");
    }

private:
    void note_event() {
        last_thread_node_ = static_cast<int>(tree_.pos) - 1;
        event_node_.push_back(tree_.pos - 1);
    }

    // Moves to the deepest node with an unexplored backtrack thread or answer.
    bool backtrack() {
        while (!tree_.exhausted()) {
            if (tree_.next_choice()) break;
            if (tree_.exhausted()) break;
            tree_node& n = tree_.nodes.back();
            if (n.is_choice) continue;
            n.done |= bit(static_cast<int>(n.chosen));
            const thread_mask todo = n.backtrack & ~n.done & ~n.sleep & n.enabled;
            if (todo) {
                n.chosen = static_cast<unsigned>(lowest(todo));
                break;
            }
            tree_.nodes.pop_back();
        }
        first_new_event_ = 0;
        for (std::size_t i = 0; i + 1 < tree_.nodes.size(); ++i)
            if (!tree_.nodes[i].is_choice) ++first_new_event_;
        return !tree_.exhausted();
    }

    decision_tree tree_;
    std::vector<std::size_t> event_node_;  // tree position of each event of this execution
    int last_thread_node_ = -1;
    std::size_t first_new_event_ = 0;
    bool started_ = false;
    std::uint64_t sleep_blocked_ = 0;
    std::uint64_t races_ = 0;
    std::uint64_t blocked_reversals_ = 0;
};

}  // namespace

std::unique_ptr<strategy> make_dpor(std::vector<tree_node> prefix) { return std::make_unique<dpor>(std::move(prefix)); }

}  // namespace mmcheck::mc
