// S7's reference: what hmm_vma_fault() must decide for one page, written from the
// HMM API's documented contract (include/linux/hmm.h, Documentation/vm/hmm.rst)
// and the issue-4 oracle, not from any version's code. Pure functions.
//
// The oracle (issue 4, S7), made precise where the kernel is:
//  - nothing is faulted unless the request asks VALID; every version returns early
//    there, so WRITE or DEVICE_PRIVATE alone ask for nothing;
//  - a device-private entry faults (migrates back) only when the request also
//    asks DEVICE_PRIVATE, then as a write fault iff the request asks WRITE;
//  - any other entry faults iff it is not valid (none), or the request asks WRITE
//    and the entry is not writable; the fault is a write fault in that case;
//  - a snapshot (hmm_vma_get_pfns(), HMM_FAULT_SNAPSHOT) never faults.
// Special ptes other than the zero page are left out: the v4.17 code never sees
// them (whole VMAs are refused), the v5.6 code reports them; see check_special_pte().
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/mm/hmm_pfn.h"

MMCHECK_ENGINE_BEGIN
namespace model_hmm {

// What a driver asks for one page, before it is encoded in its format.
struct hmm_request {
    bool valid = false;
    bool write = false;
    bool device_private = false;
};

struct expected_fault {
    bool fault = false;
    bool write_fault = false;
};

expected_fault hmm_fault_oracle(bool fault_mode, hmm_request request, cpu_pte pte);

// The flags a CPU entry has in the driver's format: VALID when it is present or
// device-private, WRITE when writable, DEVICE_PRIVATE when device-private.
std::uint64_t cpu_entry_flags(const hmm_range& range, cpu_pte pte);

// One page through hmm_pte_need_fault() and hmm_vma_handle_pte() of `version`:
// the decision against the oracle and, when nothing faulted, the entry written
// back against the CPU entry. `request_word` is the driver's pfns[i] (for v5.6
// together with the range's default_flags and pfn_flags_mask) encoding `request`.
// Returns what disagreed, or nullopt.
std::optional<std::string> check_fault_decision(hmm_version version, const hmm_range& range, bool fault_mode,
                                                std::uint64_t request_word, hmm_request request, cpu_pte pte);

// hmm_range_need_fault() over pages sharing one CPU entry (a huge pmd or a hole):
// it faults iff some page must, and asks a write fault only if some page needs one.
std::optional<std::string> check_range_need_fault(hmm_version version, const hmm_range& range, bool fault_mode,
                                                  const std::uint64_t* request_words,
                                                  const hmm_request* requests, unsigned long npages, cpu_pte pte);

// v5.6: a special pte other than the zero page never reaches the driver as a page.
std::optional<std::string> check_special_pte(const hmm_range& range, std::uint64_t request_word, cpu_pte pte);

}  // namespace model_hmm
MMCHECK_ENGINE_END
