// S7's RapidCheck properties over random driver encodings, and a runner that
// checks one with a given seed and number of cases and hands back the shrunk
// counterexample as data. Used by the s7 scenario and by tests/hmm.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "model/mm/hmm_pfn.h"

MMCHECK_ENGINE_BEGIN
namespace model_hmm {

// Property bodies: each draws its inputs with RapidCheck and fails through it.
// hmm_pfn_from_pfn/_to_pfn and _from_page/_to_page round trip.
void prop_round_trip();
// values[] entries never decode to a page or a pfn; error and special may alias.
void prop_values_never_decode();
// No entry HMM builds for a pfn equals a value: needs values without the VALID
// bit. `values_may_look_valid` drops that rule, to show it is needed.
void prop_entries_never_alias_values(bool values_may_look_valid);
// One page through hmm_pte_need_fault() and hmm_vma_handle_pte(): the oracle.
void prop_fault_oracle(hmm_version version);
// hmm_range_need_fault() over up to 8 pages sharing one CPU entry.
void prop_range_need_fault(hmm_version version);
// v5.6: a special pte is reported as values[HMM_PFN_SPECIAL], never as a page.
void prop_special_pte_v5_6();

struct property_run {
    bool passed = false;
    std::uint64_t cases = 0;     // test cases run, the failing one included
    unsigned shrinks = 0;        // shrink steps that kept the failure
    std::string failure;         // what the shrunk case got wrong
    std::string counterexample;  // the shrunk case, one "type: value" per line
    std::string reproduce;       // RapidCheck's reproduce string for this failure
};

// Checks `property` with RapidCheck, seeded, printing nothing. With `reproduce`
// (a string this function returned) it re-runs only that failing case. Throws
// std::invalid_argument on a malformed reproduce string.
property_run run_hmm_property(std::string_view id, std::function<void()> property, std::uint64_t seed,
                              int cases, const std::string& reproduce = {});

}  // namespace model_hmm
MMCHECK_ENGINE_END
