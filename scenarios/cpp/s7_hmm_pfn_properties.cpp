// See s7_hmm_pfn_properties.h. The runner drives rc::detail::checkProperty()
// itself, rather than rc::check(), so that the seed and the number of cases come
// from the caller instead of the RC_PARAMS environment variable, and the result
// comes back as data instead of text on stderr.
#include "scenarios/cpp/s7_hmm_pfn_properties.h"

#include <rapidcheck.h>
#include <rapidcheck/detail/Configuration.h>
#include <rapidcheck/detail/TestListener.h>

#include <array>
#include <stdexcept>

#include "scenarios/cpp/s7_hmm_pfn_gen.h"
#include "scenarios/cpp/s7_hmm_pfn_oracle.h"

MMCHECK_ENGINE_BEGIN
namespace model_hmm {

void prop_round_trip() {
    const hmm_range range = *gen::encoding();
    const std::uint64_t pfn = *gen::pfn(range);
    RC_ASSERT(hmm_pfn_to_pfn(&range, hmm_pfn_from_pfn(&range, pfn)) == pfn);
    const std::optional<page> back = hmm_pfn_to_page(&range, hmm_pfn_from_page(&range, page{pfn}));
    RC_ASSERT(back.has_value());
    RC_ASSERT(back->pfn == pfn);
}

void prop_values_never_decode() {
    const hmm_range range = *gen::encoding();
    const auto which = *rc::gen::element(HMM_PFN_NONE, HMM_PFN_ERROR, HMM_PFN_SPECIAL);
    RC_ASSERT(!hmm_pfn_to_page(&range, range.values[which]).has_value());
    RC_ASSERT(hmm_pfn_to_pfn(&range, range.values[which]) == no_pfn);
    // The stated aliasing rule: none is never error or special, so a driver can
    // tell "no CPU entry" from a failure.
    RC_ASSERT(range.values[HMM_PFN_NONE] != range.values[HMM_PFN_ERROR]);
    RC_ASSERT(range.values[HMM_PFN_NONE] != range.values[HMM_PFN_SPECIAL]);
}

void prop_entries_never_alias_values(bool values_may_look_valid) {
    const hmm_range range = *gen::encoding(values_may_look_valid);
    const std::uint64_t pfn = *gen::pfn(range);
    const std::uint64_t entry = hmm_pfn_from_pfn(&range, pfn);
    for (std::uint64_t value : range.values) RC_ASSERT(entry != value);
    RC_ASSERT(hmm_pfn_to_pfn(&range, entry) == pfn);
}

void prop_fault_oracle(hmm_version version) {
    hmm_range range = *gen::encoding();
    const hmm_request request = *gen::request();
    const request_encoding encoded = *gen::request_for(range, request, version);
    gen::apply(range, encoded);
    const cpu_pte pte = *gen::pte(range);
    const gen::walk_kind walk = *gen::walk();
    if (auto wrong = check_fault_decision(version, range, walk.fault, encoded.word, request, pte)) RC_FAIL(*wrong);
}

void prop_range_need_fault(hmm_version version) {
    hmm_range range = *gen::encoding();
    // One CPU entry for the whole range: a hole or a huge pmd, never device-private.
    cpu_pte pte = *gen::pte(range);
    if (pte.type == cpu_pte::kind::device_private) pte.type = cpu_pte::kind::present;
    const unsigned npages = *rc::gen::inRange(1u, 9u);
    std::array<hmm_request, 8> requests{};
    std::array<std::uint64_t, 8> words{};
    // Per-page requests only (default_flags 0, mask all ones): prop_fault_oracle
    // covers how v5.6 combines them with the range's defaults.
    for (unsigned i = 0; i < npages; ++i) {
        requests[i] = *gen::request();
        const request_encoding e = *gen::request_for(range, requests[i], hmm_version::v4_17);
        words[i] = e.word;
    }
    const gen::walk_kind walk = *gen::walk();
    if (auto wrong = check_range_need_fault(version, range, walk.fault, words.data(), requests.data(), npages, pte))
        RC_FAIL(*wrong);
}

void prop_special_pte_v5_6() {
    hmm_range range = *gen::encoding();
    const hmm_request request = *gen::request();
    const request_encoding encoded = *gen::request_for(range, request, hmm_version::v5_6);
    gen::apply(range, encoded);
    const cpu_pte pte = *gen::special_pte(range);
    if (auto wrong = check_special_pte(range, encoded.word, pte)) RC_FAIL(*wrong);
}

namespace {

// Counts accepted shrink steps; prints nothing.
struct quiet_listener : rc::detail::TestListener {
    void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
    void onShrinkTried(const rc::detail::CaseDescription&, bool accepted) override { shrinks += accepted ? 1 : 0; }
    void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
    unsigned shrinks = 0;
};

// RC_FAIL's description starts with the file, line and macro; the message follows
// a blank line.
std::string failure_text(const std::string& description) {
    const std::size_t blank = description.find("\n\n");
    if (description.find("RC_FAIL(") == std::string::npos || blank == std::string::npos) return description;
    return description.substr(blank + 2);
}

// "mmcheck::engine_native::model_hmm::cpu_pte" -> "cpu_pte".
std::string short_type(const std::string& type) {
    const std::size_t colons = type.rfind("::");
    return colons == std::string::npos ? type : type.substr(colons + 2);
}

std::string reproduce_string(const std::string& id, const rc::detail::Reproduce& reproduce) {
    rc::detail::Configuration config;
    config.reproduce[id] = reproduce;
    return rc::detail::configToMinimalString(config);
}

}  // namespace

property_run run_hmm_property(std::string_view id, std::function<void()> property, std::uint64_t seed,
                              int cases, const std::string& reproduce) {
    const std::string key(id);
    std::unordered_map<std::string, rc::detail::Reproduce> reproduce_map;
    if (!reproduce.empty()) {
        try {
            reproduce_map = rc::detail::configFromString(reproduce).reproduce;
        } catch (const rc::detail::ConfigurationException& e) {
            throw std::invalid_argument("malformed RapidCheck reproduce string: " + std::string(e.what()));
        }
        if (reproduce_map.count(key) == 0)
            throw std::invalid_argument("the reproduce string is not one of property '" + key + "'");
    }
    rc::detail::TestParams params;
    params.seed = seed;
    params.maxSuccess = cases;
    rc::detail::TestMetadata metadata;
    metadata.id = key;
    metadata.description = key;
    quiet_listener listener;
    const rc::detail::TestResult result =
        rc::detail::checkProperty(rc::detail::toProperty(std::move(property)), metadata, params, listener,
                                  reproduce_map);

    property_run run;
    run.shrinks = listener.shrinks;
    rc::detail::SuccessResult success;
    rc::detail::FailureResult failure;
    rc::detail::GaveUpResult gave_up;
    rc::detail::Error error;
    if (result.match(success)) {
        run.passed = true;
        run.cases = static_cast<std::uint64_t>(success.numSuccess);
    } else if (result.match(failure)) {
        run.cases = static_cast<std::uint64_t>(failure.numSuccess) + 1;
        run.failure = failure_text(failure.description);
        for (const auto& [type, value] : failure.counterExample)
            run.counterexample += (run.counterexample.empty() ? "" : "\n") + short_type(type) + ": " + value;
        run.reproduce = reproduce_string(key, failure.reproduce);
    } else if (result.match(gave_up)) {
        run.cases = static_cast<std::uint64_t>(gave_up.numSuccess);
        run.failure = "RapidCheck gave up: " + gave_up.description;
    } else if (result.match(error)) {
        run.failure = "RapidCheck error: " + error.description;
    }
    return run;
}

}  // namespace model_hmm
MMCHECK_ENGINE_END
