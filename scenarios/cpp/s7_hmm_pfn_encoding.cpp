// S7: the HMM driver-defined pfn encoding and hmm_pte_need_fault() of the seed's
// 2018 patches, checked by RapidCheck over random driver encodings instead of by
// exploring interleavings (a property scenario; one thread, any engine).
//
// The seed's form (2aee09d8c116 + f88a1e90c665, v4.17-rc1) inverts both tests on
// the CPU entry in hmm_pte_need_fault(): it faults a valid entry, leaves a none
// entry unfaulted, and drops the fault when a write is asked of a read-only entry;
// and hmm_vma_handle_pte() reads the request from pfns[i] after overwriting it
// with values[HMM_PFN_NONE]. Ralph Campbell's "Small HMM fixes" (2018-03-26,
// <20180326213009.2460-1-jglisse@redhat.com>) fixed both before v4.17; the v5.6
// form adds the range-wide default flags (023a019a9b4e) and the OR over pages in
// hmm_range_need_fault().
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "scenarios/body.h"
#include "scenarios/cpp/s7_hmm_pfn_properties.h"

MMCHECK_ENGINE_BEGIN

namespace {

using model_hmm::hmm_version;

constexpr std::uint64_t default_cases = 2000;
constexpr const char* schedule_prefix = "rapidcheck:";

hmm_version version_of(const variant_info& variant) {
    if (variant.name == "fixed-v4.17") return hmm_version::v4_17;
    if (variant.name == "fixed-v5.6") return hmm_version::v5_6;
    return hmm_version::v4_17_rc1_f88a1e90c665;
}

using property = std::pair<std::string, std::function<void()>>;

// Encoding properties first (the same for every version), then the decisions.
std::vector<property> properties_of(hmm_version version) {
    std::vector<property> all = {
        {"s7/round-trip", model_hmm::prop_round_trip},
        {"s7/values-never-decode", model_hmm::prop_values_never_decode},
        {"s7/entries-never-alias-values", [] { model_hmm::prop_entries_never_alias_values(false); }},
        {"s7/fault-oracle", [version] { model_hmm::prop_fault_oracle(version); }},
        {"s7/range-need-fault", [version] { model_hmm::prop_range_need_fault(version); }},
    };
    if (version == hmm_version::v5_6) all.emplace_back("s7/special-pte", model_hmm::prop_special_pte_v5_6);
    return all;
}

std::string indented(const std::string& lines) {
    std::string out = "\n      ";
    for (char c : lines) out += c == '\n' ? std::string("\n      ") : std::string(1, c);
    return out;
}

// "rapidcheck:<property id>:<RapidCheck reproduce string>", as check_s7 prints it.
std::pair<std::string, std::string> parse_schedule(const std::string& schedule) {
    const std::size_t colon = schedule.find(':', std::string(schedule_prefix).size());
    if (schedule.rfind(schedule_prefix, 0) != 0 || colon == std::string::npos)
        throw usage_error("malformed schedule '" + schedule.substr(0, 40) +
                          "' for a property scenario: expected rapidcheck:<property>:<reproduce>, as mmcheck printed it");
    const std::size_t id_start = std::string(schedule_prefix).size();
    return {schedule.substr(id_start, colon - id_start), schedule.substr(colon + 1)};
}

run_result check_s7(const variant_info& variant, const run_options& options) {
    const auto start = std::chrono::steady_clock::now();
    const hmm_version version = version_of(variant);
    const std::uint64_t cases = options.iterations ? options.iterations : default_cases;
    std::string replay_id, replay;
    if (options.schedule) std::tie(replay_id, replay) = parse_schedule(*options.schedule);

    run_result result;
    result.bound = options.schedule ? "the one RapidCheck case the schedule names"
                                     : std::to_string(cases) + " random driver encodings per property (RapidCheck, seed " +
                                           std::to_string(options.seed) + ")";
    for (const auto& [id, body] : properties_of(version)) {
        if (options.schedule && id != replay_id) continue;
        model_hmm::property_run run;
        try {
            run = model_hmm::run_hmm_property(id, body, options.seed, static_cast<int>(cases), replay);
        } catch (const std::invalid_argument& e) {
            throw usage_error(std::string(e.what()) + "; copy the whole schedule mmcheck printed");
        }
        result.executions += run.cases;
        if (run.passed) continue;
        result.outcome = verdict::violation;
        violation_report v;
        v.kind = violation_kind::assertion;
        v.message = id + " (" + std::string(model_hmm::hmm_version_name(version)) + "): " + run.failure +
                    "\n    shrunk counterexample:" + indented(run.counterexample);
        if (!options.schedule)
            result.notes.push_back("RapidCheck failed after " + std::to_string(run.cases) + " cases of " + id +
                                   " and shrank the case in " + std::to_string(run.shrinks) + " steps");
        v.function = "hmm_pte_need_fault";
        v.file = "model/mm/hmm_pfn.cpp";
        result.violation = v;
        if (!run.reproduce.empty()) result.schedule = schedule_prefix + id + ":" + run.reproduce;
        break;
    }
    if (options.schedule && result.executions == 0)
        throw usage_error("schedule names property '" + replay_id + "', which variant '" + variant.name +
                          "' does not check");
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

scenario_info describe() {
    scenario_info info;
    info.name = "s7-hmm-pfn-encoding";
    info.summary = "HMM driver pfn encoding round trips and hmm_pte_need_fault against a fault oracle (RapidCheck)";
    info.source =
        "seed 2018 HMM patches: 2aee09d8c116 \"mm/hmm: change hmm_vma_fault() to allow write fault on page basis\", "
        "f88a1e90c665 \"mm/hmm: use device driver encoding for HMM pfn\"; fixed by Ralph Campbell, \"mm/hmm: do not "
        "ignore specific pte fault flag in hmm_vma_fault()\" and \"mm/hmm: clarify fault logic for device private "
        "memory\" (<20180326213009.2460-1-jglisse@redhat.com>, v4.17); 023a019a9b4e default flags (v5.2)";
    info.threads = 1;
    info.variants = {
        {"seed-2018-f88a1e90c665",
         "hmm_pte_need_fault() with both CPU-entry tests inverted; hmm_vma_handle_pte() loses the request",
         violation_kind::assertion},
        {"fixed-v4.17", "after Ralph Campbell's two fixes (v4.17-rc1)", std::nullopt},
        {"fixed-v5.6", "v5.6: requests combined with default_flags/pfn_flags_mask (023a019a9b4e), OR over pages",
         std::nullopt},
    };
    info.property = check_s7;
    return info;
}

const scenario_registration s7_registration{describe(), nullptr};

}  // namespace

MMCHECK_ENGINE_END
