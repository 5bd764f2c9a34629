// Exhaustive depth-first search over every interleaving and every data choice, with
// no reduction: the reference the reductions are checked against (stateless search,
// Godefroid, "Model checking for programming languages using VeriSoft", POPL 1997).
#include "checker/mc/strategy.h"
#include "checker/mc/tree.h"

namespace mmcheck::mc {

namespace {

class dfs final : public strategy {
public:
    explicit dfs(std::vector<tree_node> prefix) : tree_(std::move(prefix)) {}

    bool begin_execution() override {
        if (!started_) return started_ = true;
        while (!tree_.exhausted()) {
            if (tree_.next_choice()) break;
            if (tree_.exhausted()) break;
            tree_node& n = tree_.nodes.back();
            if (n.is_choice) continue;
            n.done |= bit(n.chosen);
            const thread_mask rest = n.enabled & ~n.done;
            if (rest) {
                n.chosen = static_cast<unsigned>(lowest(rest));
                break;
            }
            tree_.nodes.pop_back();
        }
        tree_.pos = 0;
        return !tree_.exhausted();
    }

    int pick_thread(const decision_view& view) override {
        if (tree_.replaying()) return static_cast<int>(tree_.next().chosen);
        tree_node n;
        n.enabled = view.enabled;
        n.chosen = static_cast<unsigned>(preferred(view.enabled, view.last));
        return static_cast<int>(tree_.push(n).chosen);
    }

    unsigned pick_choice(unsigned n) override { return tree_.choice(n); }
    bool exhaustive() const override { return true; }
    double fraction_done() const override {
        return fraction_left_of_path(tree_, [](const tree_node& n) { return n.enabled; });
    }
    std::string bound() const override { return "every interleaving and data choice (DFS, no reduction)"; }

private:
    decision_tree tree_;
    bool started_ = false;
};

}  // namespace

std::unique_ptr<strategy> make_dfs(std::vector<tree_node> prefix) { return std::make_unique<dfs>(std::move(prefix)); }

}  // namespace mmcheck::mc
