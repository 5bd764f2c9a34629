// Small programs on the seam whose outcome every engine must reproduce: each is a
// self-test scenario (hidden from `mmcheck list`) with the violation it must report.
#include "model/kernel/primitives.h"
#include "scenarios/body.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace kernel;

// Two threads increment a plain counter without a lock: a data race on `count`.
struct racy_counter : scenario_instance {
    plain<long> count{0, {"count"}};
    void run_thread(int) override { count.write(count.read() + 1); }
};

// The same under a spinlock: no race, and the final count is exact.
struct locked_counter : scenario_instance {
    spinlock_t lock{{"lock"}};
    plain<long> count{0, {"count"}};
    void run_thread(int) override {
        spin_lock(&lock);
        count.write(count.read() + 1);
        spin_unlock(&lock);
    }
    void finish() override {
        if (count.read() != 2) report_violation(violation_kind::assertion, "lost update");
    }
};

// Marked accesses without a lock: no data race, but an update can be lost, which
// the final check reports as an assertion.
struct lost_update : scenario_instance {
    marked<long> count{0, {"count"}};
    void run_thread(int) override { WRITE_ONCE(count, READ_ONCE(count) + 1); }
    void finish() override {
        if (READ_ONCE(count) != 2) report_violation(violation_kind::assertion, "lost update");
    }
};

// A classic ABBA: thread 0 takes a then b, thread 1 takes b then a.
struct abba : scenario_instance {
    spinlock_t a{{"a"}}, b{{"b"}};
    void run_thread(int index) override {
        spinlock_t* first = index == 0 ? &a : &b;
        spinlock_t* second = index == 0 ? &b : &a;
        spin_lock(first);
        spin_lock(second);
        spin_unlock(second);
        spin_unlock(first);
    }
};

template <class Program>
std::unique_ptr<scenario_instance> make(const variant_info&) {
    return std::make_unique<Program>();
}

scenario_info selftest(const char* name, const char* summary, std::optional<violation_kind> expected) {
    scenario_info info;
    info.name = name;
    info.summary = summary;
    info.source = "mmcheck self-test";
    info.threads = 2;
    info.variants = {{"default", summary, expected}};
    info.selftest = true;
    return info;
}

const scenario_registration racy_registration{
    selftest("selftest/racy-counter", "unlocked plain increments", violation_kind::data_race),
    &make<racy_counter>};
const scenario_registration locked_registration{
    selftest("selftest/locked-counter", "spinlocked plain increments", std::nullopt), &make<locked_counter>};
const scenario_registration lost_update_registration{
    selftest("selftest/lost-update", "READ_ONCE/WRITE_ONCE increments lose one", violation_kind::assertion),
    &make<lost_update>};
const scenario_registration abba_registration{
    selftest("selftest/abba-deadlock", "two spinlocks taken in both orders", violation_kind::deadlock),
    &make<abba>};

}  // namespace

MMCHECK_ENGINE_END
