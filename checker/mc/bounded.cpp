// Iterative preemption bounding (Musuvathi and Qadeer, "Iterative context bounding
// for systematic testing of multithreaded programs", PLDI 2007; CHESS). Depth-first
// search over the executions with at most c preemptive context switches, for
// c = 0, 1, ... up to the bound: a switch away from a thread that could have
// continued costs one; a switch after a thread blocked or ended is free. Each round
// re-runs the executions of the previous ones (stateless) but counts only those
// with exactly c preemptions, so the reported count has no duplicates. The search
// stops early when no execution needed a preemption the bound refused.
#include "checker/mc/strategy.h"
#include "checker/mc/tree.h"

namespace mmcheck::mc {

namespace {

class bounded final : public strategy {
public:
    explicit bounded(unsigned max) : max_(max) {}

    bool begin_execution() override {
        if (!started_) return started_ = true;
        if (backtrack()) return true;
        if (!refused_ || bound_ == max_) {
            complete_ = !refused_;
            return false;
        }
        ++bound_;  // next round
        refused_ = false;
        tree_ = {};
        return true;
    }

    int pick_thread(const decision_view& view) override {
        if (tree_.replaying()) {
            tree_node& n = tree_.next();
            preemptions_ = n.preemptions + cost(n, n.chosen);
            return static_cast<int>(n.chosen);
        }
        tree_node n;
        n.enabled = view.enabled;
        n.last = view.last;
        n.preemptions = tree_.nodes.empty() ? 0 : preemptions_;
        n.chosen = static_cast<unsigned>(preferred(view.enabled, view.last));
        for (int t = 0; t < view.nthreads; ++t)
            if ((view.enabled & bit(t)) && !allowed(n, t)) refused_ = true;
        preemptions_ = n.preemptions;
        return static_cast<int>(tree_.push(n).chosen);
    }

    unsigned pick_choice(unsigned n) override { return tree_.choice(n); }
    bool counts() const override { return preemptions_ == bound_; }
    bool exhaustive() const override { return true; }

    std::string bound() const override {
        if (complete_)
            return "every execution (no execution needs more than " + std::to_string(bound_) +
                   " preemptions; CHESS iterative preemption bounding)";
        return "preemption bound " + std::to_string(bound_) + " (CHESS iterative preemption bounding)";
    }

private:
    static unsigned cost(const tree_node& n, unsigned t) {
        return n.last >= 0 && (n.enabled & bit(n.last)) && t != static_cast<unsigned>(n.last) ? 1 : 0;
    }
    bool allowed(const tree_node& n, int t) const { return n.preemptions + cost(n, static_cast<unsigned>(t)) <= bound_; }

    bool backtrack() {
        while (!tree_.nodes.empty()) {
            if (tree_.next_choice()) break;
            if (tree_.nodes.empty()) break;
            tree_node& n = tree_.nodes.back();
            if (n.is_choice) continue;
            n.done |= bit(n.chosen);
            thread_mask rest = 0;
            for (int t = 0; t < max_threads; ++t)
                if ((n.enabled & ~n.done & bit(t)) && allowed(n, t)) rest |= bit(t);
            if (rest) {
                n.chosen = static_cast<unsigned>(lowest(rest));
                break;
            }
            tree_.nodes.pop_back();
        }
        tree_.pos = 0;
        preemptions_ = 0;
        return !tree_.nodes.empty();
    }

    decision_tree tree_;
    unsigned max_;
    unsigned bound_ = 0;
    unsigned preemptions_ = 0;  // in the current execution so far
    bool started_ = false;
    bool refused_ = false;   // this round refused some preemption
    bool complete_ = false;  // no execution needs more preemptions than were allowed
};

}  // namespace

std::unique_ptr<strategy> make_bounded(unsigned preemptions) { return std::make_unique<bounded>(preemptions); }

}  // namespace mmcheck::mc
