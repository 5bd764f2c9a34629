// PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi and
// Nagarakatte, "A randomized scheduler with probabilistic guarantees of finding
// bugs", ASPLOS 2010). Each execution gives the n threads random distinct
// priorities d..d+n-1 and picks d-1 random change points among the k steps; it always
// runs the highest-priority enabled thread, and at the i-th change point lowers the
// running thread's priority to d-i. A bug of depth d is then found by each execution
// with probability at least 1/(n k^(d-1)).
// Deviation: k is not known in advance; it is the longest execution seen so far
// (the first execution assumes 64 steps), as in most implementations.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "checker/mc/rng.h"
#include "checker/mc/strategy.h"

namespace mmcheck::mc {

namespace {

class pct final : public strategy {
public:
    pct(std::uint64_t seed, unsigned depth, std::uint64_t iterations)
        : seed_(seed), depth_(std::max(depth, 1u)), iterations_(iterations) {}

    bool begin_execution() override {
        if (done_ == iterations_) return false;
        rng_ = rng(seed_ * 0x100000001b3ULL + done_++);
        started_ = false;
        step_ = 0;
        changes_.clear();
        for (unsigned i = 1; i < depth_; ++i) changes_.push_back(1 + rng_.below(k_));
        return true;
    }

    int pick_thread(const decision_view& view) override {
        if (!started_) assign_priorities(view.nthreads);
        int best = -1;
        for (int t = 0; t < view.nthreads; ++t)
            if ((view.enabled & bit(t)) && (best < 0 || priority_[t] > priority_[best])) best = t;
        ++step_;
        for (std::size_t i = 0; i < changes_.size(); ++i)
            if (changes_[i] == step_) priority_[best] = static_cast<int>(depth_) - 1 - static_cast<int>(i);
        return best;
    }

    unsigned pick_choice(unsigned n) override { return static_cast<unsigned>(rng_.below(n)); }

    void end_execution(const event_log& log, execution_end) override {
        k_ = std::max<std::uint64_t>(k_, log.events.size());
    }

    std::string bound() const override {
        return std::to_string(done_) + " PCT executions of depth " + std::to_string(depth_) + " from seed " +
               std::to_string(seed_);
    }

    void add_notes(std::vector<std::string>& notes) const override {
        const double p = 1.0 / (static_cast<double>(n_) * std::pow(static_cast<double>(k_), depth_ - 1.0));
        char text[200];
        std::snprintf(text, sizeof text,
                      "PCT bound: each execution finds a depth-%u bug with probability >= 1/(n k^(d-1)) = %.3g "
                      "(n = %d threads, k = %llu steps)",
                      depth_, p, n_, static_cast<unsigned long long>(k_));
        notes.push_back(text);
    }

private:
    void assign_priorities(int n) {
        started_ = true;
        n_ = n;
        // A random permutation of d..d+n-1 (Fisher-Yates).
        for (int t = 0; t < n; ++t) priority_[t] = static_cast<int>(depth_) + t;
        for (int t = n - 1; t > 0; --t) std::swap(priority_[t], priority_[rng_.below(static_cast<std::uint64_t>(t) + 1)]);
    }

    std::uint64_t seed_;
    unsigned depth_;
    std::uint64_t iterations_;
    std::uint64_t done_ = 0;
    std::uint64_t k_ = 64;
    std::uint64_t step_ = 0;
    int n_ = 1;
    bool started_ = false;
    std::vector<std::uint64_t> changes_;
    std::array<int, max_threads> priority_{};
    rng rng_;
};

}  // namespace

std::unique_ptr<strategy> make_pct(std::uint64_t seed, unsigned depth, std::uint64_t iterations) {
    return std::make_unique<pct>(seed, depth, iterations);
}

}  // namespace mmcheck::mc
