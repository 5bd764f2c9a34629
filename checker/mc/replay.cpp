// Replays one encoded schedule (schedule_codec.h) exactly: every scheduling point
// and data choice takes the recorded decision. A decision that does not fit the
// execution (a thread not enabled, a choice out of range, or the schedule running
// out) means the schedule belongs to another scenario, variant or build: the
// execution is abandoned and the driver says so.
#include "checker/mc/strategy.h"

namespace mmcheck::mc {

namespace {

class replay final : public strategy {
public:
    explicit replay(std::vector<decision> decisions) : decisions_(std::move(decisions)) {}

    bool begin_execution() override { return !ran_ && (ran_ = true); }

    int pick_thread(const decision_view& view) override {
        if (pos_ >= decisions_.size() || decisions_[pos_].is_choice) return -1;
        const unsigned t = decisions_[pos_++].value;
        return t < static_cast<unsigned>(view.nthreads) && (view.enabled & bit(static_cast<int>(t))) ? static_cast<int>(t)
                                                                                                     : -1;
    }

    unsigned pick_choice(unsigned n) override {
        if (pos_ >= decisions_.size() || !decisions_[pos_].is_choice || decisions_[pos_].value >= n) {
            diverged_ = true;
            return 0;
        }
        return decisions_[pos_++].value;
    }

    void end_execution(const event_log&, execution_end end) override {
        diverged_ = diverged_ || end == execution_end::abandoned || pos_ != decisions_.size();
    }
    std::string bound() const override { return "one execution, replayed from its schedule"; }
    void add_notes(std::vector<std::string>& notes) const override {
        if (diverged_)
            notes.push_back("the schedule did not fit this execution (wrong scenario, variant or build?): "
                            "copy the whole reproduce line of the same scenario and variant");
    }

private:
    std::vector<decision> decisions_;
    std::size_t pos_ = 0;
    bool ran_ = false;
    bool diverged_ = false;
};

}  // namespace

std::unique_ptr<strategy> make_replay(std::vector<decision> decisions) {
    return std::make_unique<replay>(std::move(decisions));
}

}  // namespace mmcheck::mc
