// S7 checked from the outside: the HMM driver pfn encoding and the fault decision
// of each hmm_version (model/mm/hmm_pfn.cpp) against the oracle
// (scenarios/cpp/s7_hmm_pfn_oracle.cpp), first on cases written out by hand, then
// with the RapidCheck properties the s7 scenario runs, through the same seeded
// runner. The seed's 2018 version must fail with a shrunk counterexample; the
// fixed versions must pass.
#include <gtest/gtest.h>

#include <cerrno>
#include <iostream>

#include "model/mm/hmm_pfn.h"
#include "scenarios/cpp/s7_hmm_pfn_oracle.h"
#include "scenarios/cpp/s7_hmm_pfn_properties.h"

namespace {

using namespace mmcheck::model_hmm;

constexpr std::uint64_t seed = 1;
constexpr int cases = 2000;

// A driver like nouveau's: valid bit 0, write bit 1, device-private bit 2, pfn
// above bit 8; none 0, error and special the same value.
hmm_range example_range() {
    hmm_range r;
    r.flags = {1u << 0, 1u << 1, 1u << 2};
    r.values = {0x10, 0, 0x10};  // error, none, special
    r.pfn_shift = 8;
    return r;
}

constexpr std::uint64_t VALID = 1, WRITE = 2, DEVPRIV = 4;
const cpu_pte none_pte{};
const cpu_pte ro_pte{cpu_pte::kind::present, false, false, false, 42};
const cpu_pte rw_pte{cpu_pte::kind::present, true, false, false, 42};
const cpu_pte ro_devpriv_pte{cpu_pte::kind::device_private, false, false, false, 7};

expected_fault need_fault(hmm_version version, std::uint64_t request, std::uint64_t cpu_flags) {
    const hmm_range range = example_range();
    const hmm_vma_walk walk{&range, version, true, std::nullopt};
    bool fault = false, write_fault = false;
    hmm_pte_need_fault(&walk, request, cpu_flags, &fault, &write_fault);
    return {fault, write_fault};
}

bool same(expected_fault a, expected_fault b) { return a.fault == b.fault && a.write_fault == b.write_fault; }

void print(const char* what, const property_run& run) {
    std::cout << what << ": " << run.failure << "\n  after " << run.cases << " cases, " << run.shrinks
              << " shrink steps; shrunk counterexample:\n  " << run.counterexample << "\n  reproduce: " << run.reproduce
              << "\n";
}

TEST(HmmFaultOracle, AgreesWithTheApiOnHandPickedCases) {
    EXPECT_TRUE(same(hmm_fault_oracle(true, {true, false, false}, none_pte), {true, false}));
    EXPECT_TRUE(same(hmm_fault_oracle(true, {true, false, false}, ro_pte), {false, false}));
    EXPECT_TRUE(same(hmm_fault_oracle(true, {true, true, false}, ro_pte), {true, true}));
    EXPECT_TRUE(same(hmm_fault_oracle(true, {false, true, true}, none_pte), {false, false}));
    EXPECT_TRUE(same(hmm_fault_oracle(true, {true, true, false}, ro_devpriv_pte), {false, false}));
    EXPECT_TRUE(same(hmm_fault_oracle(true, {true, true, true}, ro_devpriv_pte), {true, true}));
    EXPECT_TRUE(same(hmm_fault_oracle(false, {true, true, true}, none_pte), {false, false}));
}

// The three mistakes of the seed's hmm_pte_need_fault(), one case each.
TEST(HmmPteNeedFault, SeedInvertsBothTestsOnTheCpuEntry) {
    const hmm_version seed_2018 = hmm_version::v4_17_rc1_f88a1e90c665;
    EXPECT_TRUE(same(need_fault(seed_2018, VALID, 0), {false, false}));                  // none: should fault
    EXPECT_TRUE(same(need_fault(seed_2018, VALID, VALID | WRITE), {true, false}));      // valid: should not
    EXPECT_TRUE(same(need_fault(seed_2018, VALID | WRITE, VALID), {false, false}));     // read-only: should write-fault
    EXPECT_TRUE(same(need_fault(seed_2018, VALID, VALID | DEVPRIV), {true, false}));    // device-private, not asked
    for (hmm_version fixed : {hmm_version::v4_17, hmm_version::v5_6}) {
        EXPECT_TRUE(same(need_fault(fixed, VALID, 0), {true, false}));
        EXPECT_TRUE(same(need_fault(fixed, VALID, VALID | WRITE), {false, false}));
        EXPECT_TRUE(same(need_fault(fixed, VALID | WRITE, VALID), {true, true}));
        EXPECT_TRUE(same(need_fault(fixed, VALID, VALID | DEVPRIV), {false, false}));
        EXPECT_TRUE(same(need_fault(fixed, VALID | WRITE | DEVPRIV, VALID | DEVPRIV), {true, true}));
    }
}

// The seed's hmm_vma_handle_pte() reads the request after overwriting it with
// values[HMM_PFN_NONE]: a none pte asked for is never faulted.
TEST(HmmVmaHandlePte, SeedLosesTheRequest) {
    const hmm_range range = example_range();
    hmm_vma_walk seed_walk{&range, hmm_version::v4_17_rc1_f88a1e90c665, true, std::nullopt};
    std::uint64_t entry = VALID;
    EXPECT_EQ(hmm_vma_handle_pte(&seed_walk, none_pte, &entry), 0);
    EXPECT_FALSE(seed_walk.faulted.has_value());
    hmm_vma_walk fixed_walk{&range, hmm_version::v4_17, true, std::nullopt};
    entry = VALID;
    EXPECT_EQ(hmm_vma_handle_pte(&fixed_walk, none_pte, &entry), -EAGAIN);
    ASSERT_TRUE(fixed_walk.faulted.has_value());
    EXPECT_TRUE(fixed_walk.faulted->fault);
}

TEST(HmmVmaHandlePte, V5_6TakesTheRequestFromDefaultFlags) {
    hmm_range range = example_range();
    range.default_flags = VALID | WRITE;
    range.pfn_flags_mask = 0;
    hmm_vma_walk walk{&range, hmm_version::v5_6, true, std::nullopt};
    std::uint64_t entry = 0;
    EXPECT_EQ(hmm_vma_handle_pte(&walk, ro_pte, &entry), -EBUSY);
    ASSERT_TRUE(walk.faulted.has_value());
    EXPECT_TRUE(walk.faulted->write_fault);
}

// v4.17's hmm_range_need_fault() stops at the first page needing any fault; v5.6
// ORs over the pages and finds the later write.
TEST(HmmRangeNeedFault, V4_17StopsAtTheFirstFaultingPage) {
    const hmm_range range = example_range();
    const std::uint64_t pfns[] = {VALID, VALID | WRITE};
    bool fault = false, write_fault = false;
    const hmm_vma_walk v4_17{&range, hmm_version::v4_17, true, std::nullopt};
    hmm_range_need_fault(&v4_17, pfns, 2, 0, &fault, &write_fault);
    EXPECT_TRUE(fault);
    EXPECT_FALSE(write_fault);
    const hmm_vma_walk v5_6{&range, hmm_version::v5_6, true, std::nullopt};
    hmm_range_need_fault(&v5_6, pfns, 2, 0, &fault, &write_fault);
    EXPECT_TRUE(fault);
    EXPECT_TRUE(write_fault);
}

TEST(HmmPfnEncoding, RoundTrips) {
    const property_run run = run_hmm_property("round-trip", prop_round_trip, seed, cases);
    EXPECT_TRUE(run.passed) << run.failure << "\n" << run.counterexample;
    EXPECT_EQ(run.cases, static_cast<std::uint64_t>(cases));
}

TEST(HmmPfnEncoding, ValuesNeverDecodeToAPage) {
    const property_run run = run_hmm_property("values", prop_values_never_decode, seed, cases);
    EXPECT_TRUE(run.passed) << run.failure << "\n" << run.counterexample;
}

TEST(HmmPfnEncoding, EntriesNeverAliasValuesWithoutTheValidBit) {
    const property_run run =
        run_hmm_property("aliasing", [] { prop_entries_never_alias_values(false); }, seed, cases);
    EXPECT_TRUE(run.passed) << run.failure << "\n" << run.counterexample;
}

// hmm.h only says none must not alias error or special. A value carrying the
// VALID bit can equal a real entry, which then decodes to no page at all.
TEST(HmmPfnEncoding, ValuesWithTheValidBitCanAliasARealEntry) {
    const property_run run =
        run_hmm_property("aliasing-valid-bit", [] { prop_entries_never_alias_values(true); }, seed, cases);
    ASSERT_FALSE(run.passed);
    print("values carrying the VALID bit", run);
    EXPECT_NE(run.counterexample.find("values"), std::string::npos);
}

TEST(HmmFaultOracle, Seed2018FailsWithAShrunkCounterexample) {
    const property_run run = run_hmm_property(
        "fault-oracle", [] { prop_fault_oracle(hmm_version::v4_17_rc1_f88a1e90c665); }, seed, cases);
    ASSERT_FALSE(run.passed);
    print("seed 2018 (f88a1e90c665)", run);
    EXPECT_NE(run.failure.find("hmm_pte_need_fault"), std::string::npos);
    EXPECT_NE(run.counterexample.find("hmm_request"), std::string::npos);
    EXPECT_FALSE(run.reproduce.empty());
}

TEST(HmmFaultOracle, FixedVersionsPass) {
    for (hmm_version version : {hmm_version::v4_17, hmm_version::v5_6}) {
        const property_run run =
            run_hmm_property("fault-oracle", [version] { prop_fault_oracle(version); }, seed, cases);
        EXPECT_TRUE(run.passed) << hmm_version_name(version) << ": " << run.failure << "\n" << run.counterexample;
        EXPECT_EQ(run.cases, static_cast<std::uint64_t>(cases));
    }
}

TEST(HmmRangeNeedFault, SeedFailsFixedPass) {
    const property_run seed_run = run_hmm_property(
        "range", [] { prop_range_need_fault(hmm_version::v4_17_rc1_f88a1e90c665); }, seed, cases);
    EXPECT_FALSE(seed_run.passed);
    for (hmm_version version : {hmm_version::v4_17, hmm_version::v5_6}) {
        const property_run run =
            run_hmm_property("range", [version] { prop_range_need_fault(version); }, seed, cases);
        EXPECT_TRUE(run.passed) << hmm_version_name(version) << ": " << run.failure << "\n" << run.counterexample;
    }
}

TEST(HmmVmaHandlePte, V5_6ReportsSpecialPtesAsSpecial) {
    const property_run run = run_hmm_property("special", prop_special_pte_v5_6, seed, cases);
    EXPECT_TRUE(run.passed) << run.failure << "\n" << run.counterexample;
}

// The scenario's determinism: one seed, one outcome, byte for byte; and the
// reproduce string re-runs exactly the shrunk case.
TEST(HmmFaultOracle, SameSeedSameCounterexampleAndReplay) {
    const auto check = [](std::uint64_t s, const std::string& reproduce = {}) {
        return run_hmm_property(
            "fault-oracle", [] { prop_fault_oracle(hmm_version::v4_17_rc1_f88a1e90c665); }, s, cases, reproduce);
    };
    const property_run first = check(7), second = check(7);
    ASSERT_FALSE(first.passed);
    EXPECT_EQ(first.cases, second.cases);
    EXPECT_EQ(first.counterexample, second.counterexample);
    EXPECT_EQ(first.reproduce, second.reproduce);
    const property_run replayed = check(7, first.reproduce);
    ASSERT_FALSE(replayed.passed);
    EXPECT_EQ(replayed.counterexample, first.counterexample);
    EXPECT_EQ(replayed.failure, first.failure);
    EXPECT_THROW(check(7, "reproduce=garbage"), std::invalid_argument);
}

}  // namespace
