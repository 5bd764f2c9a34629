// Seeded random walk: each execution picks uniformly among the enabled threads at
// every scheduling point and uniformly among a choice's answers. Execution i uses
// the generator seeded with (seed, i), so a run is reproducible from its seed and
// any single execution from the printed schedule.
#include "checker/mc/rng.h"
#include "checker/mc/strategy.h"

namespace mmcheck::mc {

namespace {

class random_walk final : public strategy {
public:
    random_walk(std::uint64_t seed, std::uint64_t iterations) : seed_(seed), iterations_(iterations) {}

    bool begin_execution() override {
        if (done_ == iterations_) return false;
        rng_ = rng(seed_ * 0x100000001b3ULL + done_++);
        return true;
    }
    int pick_thread(const decision_view& view) override { return rng_.pick(view.enabled); }
    unsigned pick_choice(unsigned n) override { return static_cast<unsigned>(rng_.below(n)); }
    std::string bound() const override {
        return std::to_string(done_) + " random executions from seed " + std::to_string(seed_);
    }

private:
    std::uint64_t seed_;
    std::uint64_t iterations_;
    std::uint64_t done_ = 0;
    rng rng_;
};

}  // namespace

std::unique_ptr<strategy> make_random(std::uint64_t seed, std::uint64_t iterations) {
    return std::make_unique<random_walk>(seed, iterations);
}

}  // namespace mmcheck::mc
