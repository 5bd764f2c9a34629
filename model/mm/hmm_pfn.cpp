// See hmm_pfn.h. The encoding helpers kept their logic from f88a1e90c665 until
// v5.7 (v5.1 renamed them hmm_device_entry_*); the three fault-decision functions
// differ per hmm_version, each branch following that kernel's order of tests.
#include "model/mm/hmm_pfn.h"

#include <cerrno>

MMCHECK_ENGINE_BEGIN
namespace model_hmm {

std::string_view hmm_version_name(hmm_version version) {
    switch (version) {
        case hmm_version::v4_17_rc1_f88a1e90c665: return "v4.17-rc1 f88a1e90c665 (seed 2018)";
        case hmm_version::v4_17: return "v4.17";
        case hmm_version::v5_6: return "v5.6";
    }
    return "?";
}

namespace {

// The three special values are compared whole, before any flag bit is looked at.
bool hmm_pfn_is_value(const hmm_range* range, std::uint64_t pfn) {
    return pfn == range->values[HMM_PFN_NONE] || pfn == range->values[HMM_PFN_ERROR] ||
           pfn == range->values[HMM_PFN_SPECIAL];
}

}  // namespace

// hmm_pfn_to_page(), f88a1e90c665..v5.7; pfn_to_page() is the identity on pfns.
std::optional<page> hmm_pfn_to_page(const hmm_range* range, std::uint64_t pfn) {
    if (hmm_pfn_is_value(range, pfn)) return std::nullopt;
    if (!(pfn & range->flags[HMM_PFN_VALID])) return std::nullopt;
    return page{pfn >> range->pfn_shift};
}

// hmm_pfn_to_pfn(), f88a1e90c665..v5.7.
std::uint64_t hmm_pfn_to_pfn(const hmm_range* range, std::uint64_t pfn) {
    if (hmm_pfn_is_value(range, pfn)) return no_pfn;
    if (!(pfn & range->flags[HMM_PFN_VALID])) return no_pfn;
    return pfn >> range->pfn_shift;
}

// hmm_pfn_from_page(), f88a1e90c665..v5.7.
std::uint64_t hmm_pfn_from_page(const hmm_range* range, page page) {
    return (page.pfn << range->pfn_shift) | range->flags[HMM_PFN_VALID];
}

// hmm_pfn_from_pfn(), f88a1e90c665..v5.7.
std::uint64_t hmm_pfn_from_pfn(const hmm_range* range, std::uint64_t pfn) {
    return (pfn << range->pfn_shift) | range->flags[HMM_PFN_VALID];
}

// pte_to_hmm_pfn_flags(), f88a1e90c665..v5.6, without the v5.2 pte_protnone() test.
std::uint64_t pte_to_hmm_pfn_flags(const hmm_range* range, cpu_pte pte) {
    if (pte.type != cpu_pte::kind::present) return 0;
    return pte.write ? range->flags[HMM_PFN_VALID] | range->flags[HMM_PFN_WRITE] : range->flags[HMM_PFN_VALID];
}

namespace {

// hmm_pte_need_fault() of 2aee09d8c116 as converted by f88a1e90c665: both tests
// on the CPU entry are inverted, and a device-private entry the request does not
// name falls through to them.
void need_fault_seed_2018(const hmm_range* range, std::uint64_t pfns, std::uint64_t cpu_flags, bool* fault,
                          bool* write_fault) {
    if (!(pfns & range->flags[HMM_PFN_VALID])) return;
    *fault = cpu_flags & range->flags[HMM_PFN_VALID];
    if ((pfns & range->flags[HMM_PFN_WRITE]) && !(cpu_flags & range->flags[HMM_PFN_WRITE])) {
        *fault = *write_fault = false;
        return;
    }
    if ((pfns & range->flags[HMM_PFN_DEVICE_PRIVATE]) && (cpu_flags & range->flags[HMM_PFN_DEVICE_PRIVATE])) {
        *write_fault = pfns & range->flags[HMM_PFN_WRITE];
        *fault = true;
    }
}

// hmm_pte_need_fault() after "mm/hmm: clarify fault logic for device private
// memory" (v4.17), unchanged in this part through v5.6.
void need_fault_fixed(const hmm_range* range, std::uint64_t pfns, std::uint64_t cpu_flags, bool* fault,
                      bool* write_fault) {
    if (!(pfns & range->flags[HMM_PFN_VALID])) return;
    if (cpu_flags & range->flags[HMM_PFN_DEVICE_PRIVATE]) {
        if (pfns & range->flags[HMM_PFN_DEVICE_PRIVATE]) {
            *write_fault = pfns & range->flags[HMM_PFN_WRITE];
            *fault = true;
        }
        return;
    }
    *fault = !(cpu_flags & range->flags[HMM_PFN_VALID]);
    if ((pfns & range->flags[HMM_PFN_WRITE]) && !(cpu_flags & range->flags[HMM_PFN_WRITE])) {
        *write_fault = true;
        *fault = true;
    }
}

}  // namespace

// hmm_pte_need_fault(), per version; v4.17 and before clear *fault/*write_fault on
// entry, v5.2+ leaves that to the caller so that hmm_range_need_fault() can OR.
void hmm_pte_need_fault(const hmm_vma_walk* hmm_vma_walk, std::uint64_t pfns, std::uint64_t cpu_flags,
                        bool* fault, bool* write_fault) {
    const hmm_range* range = hmm_vma_walk->range;
    if (hmm_vma_walk->version != hmm_version::v5_6) *fault = *write_fault = false;
    if (!hmm_vma_walk->fault) return;
    switch (hmm_vma_walk->version) {
        case hmm_version::v4_17_rc1_f88a1e90c665:
            need_fault_seed_2018(range, pfns, cpu_flags, fault, write_fault);
            return;
        case hmm_version::v4_17:
            need_fault_fixed(range, pfns, cpu_flags, fault, write_fault);
            return;
        case hmm_version::v5_6:
            // 023a019a9b4e: per-page requests, masked, plus the range's defaults.
            pfns = (pfns & range->pfn_flags_mask) | range->default_flags;
            need_fault_fixed(range, pfns, cpu_flags, fault, write_fault);
            return;
    }
}

// hmm_range_need_fault(), per version. Before v5.2 it stops at the first page that
// needs any fault, so a later page's write is found only on the walk's next pass.
void hmm_range_need_fault(const hmm_vma_walk* hmm_vma_walk, const std::uint64_t* pfns, unsigned long npages,
                          std::uint64_t cpu_flags, bool* fault, bool* write_fault) {
    *fault = *write_fault = false;
    if (!hmm_vma_walk->fault) return;
    const bool stop_at_any = hmm_vma_walk->version != hmm_version::v5_6;
    for (unsigned long i = 0; i < npages; ++i) {
        hmm_pte_need_fault(hmm_vma_walk, pfns[i], cpu_flags, fault, write_fault);
        if (*write_fault || (stop_at_any && *fault)) return;
    }
}

namespace {

int fault_path(hmm_vma_walk* hmm_vma_walk, bool fault, bool write_fault) {
    hmm_vma_walk->faulted = hmm_vma_walk::fault_request{fault, write_fault};
    return hmm_vma_walk->version == hmm_version::v5_6 ? -EBUSY : -EAGAIN;
}

// The device-private entry's flags, as every version builds them.
std::uint64_t device_private_flags(const hmm_range* range, cpu_pte pte) {
    std::uint64_t cpu_flags = range->flags[HMM_PFN_VALID] | range->flags[HMM_PFN_DEVICE_PRIVATE];
    return cpu_flags | (pte.write ? range->flags[HMM_PFN_WRITE] : 0);
}

// hmm_vma_handle_pte() of f88a1e90c665 and v4.17: one decision up front from
// pte_to_hmm_pfn_flags(), a second one for a device-private entry. The seed reads
// the request from *pfn after storing values[HMM_PFN_NONE] there; v4.17 saved it
// first (orig_pfn). Special ptes do not reach it: hmm_vma_get_pfns() and
// hmm_vma_fault() refuse VM_PFNMAP/VM_MIXEDMAP VMAs whole (hmm_pfns_special()).
int handle_pte_v4_17(hmm_vma_walk* hmm_vma_walk, cpu_pte pte, std::uint64_t* pfn) {
    const hmm_range* range = hmm_vma_walk->range;
    const std::uint64_t orig_pfn = *pfn;
    *pfn = range->values[HMM_PFN_NONE];
    const std::uint64_t request = hmm_vma_walk->version == hmm_version::v4_17 ? orig_pfn : *pfn;
    bool fault = false, write_fault = false;
    std::uint64_t cpu_flags = pte_to_hmm_pfn_flags(range, pte);
    hmm_pte_need_fault(hmm_vma_walk, request, cpu_flags, &fault, &write_fault);
    if (pte.type == cpu_pte::kind::none) return fault || write_fault ? fault_path(hmm_vma_walk, fault, write_fault) : 0;
    if (pte.type == cpu_pte::kind::device_private) {
        cpu_flags = device_private_flags(range, pte);
        hmm_pte_need_fault(hmm_vma_walk, request, cpu_flags, &fault, &write_fault);
        if (fault || write_fault) return fault_path(hmm_vma_walk, fault, write_fault);
        *pfn = hmm_pfn_from_pfn(range, pte.pfn) | cpu_flags;
        return 0;
    }
    if (fault || write_fault) return fault_path(hmm_vma_walk, fault, write_fault);
    *pfn = hmm_pfn_from_pfn(range, pte.pfn) | cpu_flags;
    return 0;
}

// hmm_vma_handle_pte() of v5.6: each kind of entry decides with its own flags;
// a special pte other than the zero page is reported, never mapped.
int handle_pte_v5_6(hmm_vma_walk* hmm_vma_walk, cpu_pte pte, std::uint64_t* pfn) {
    const hmm_range* range = hmm_vma_walk->range;
    const std::uint64_t orig_pfn = *pfn;
    *pfn = range->values[HMM_PFN_NONE];
    bool fault = false, write_fault = false;
    if (pte.type == cpu_pte::kind::none) {
        hmm_pte_need_fault(hmm_vma_walk, orig_pfn, 0, &fault, &write_fault);
        return fault || write_fault ? fault_path(hmm_vma_walk, fault, write_fault) : 0;
    }
    if (pte.type == cpu_pte::kind::device_private) {
        const std::uint64_t cpu_flags = device_private_flags(range, pte);
        hmm_pte_need_fault(hmm_vma_walk, orig_pfn, cpu_flags, &fault, &write_fault);
        if (fault || write_fault) return fault_path(hmm_vma_walk, fault, write_fault);
        *pfn = hmm_pfn_from_pfn(range, pte.pfn) | cpu_flags;
        return 0;
    }
    const std::uint64_t cpu_flags = pte_to_hmm_pfn_flags(range, pte);
    hmm_pte_need_fault(hmm_vma_walk, orig_pfn, cpu_flags, &fault, &write_fault);
    if (fault || write_fault) return fault_path(hmm_vma_walk, fault, write_fault);
    if (pte.special && !pte.zero) {
        *pfn = range->values[HMM_PFN_SPECIAL];
        return -EFAULT;
    }
    *pfn = hmm_pfn_from_pfn(range, pte.pfn) | cpu_flags;
    return 0;
}

}  // namespace

// hmm_vma_handle_pte(), the decision only: no ptep mapping, no pgmap reference,
// and the fault path is recorded instead of run.
int hmm_vma_handle_pte(hmm_vma_walk* hmm_vma_walk, cpu_pte pte, std::uint64_t* pfn) {
    hmm_vma_walk->faulted.reset();
    if (hmm_vma_walk->version == hmm_version::v5_6) return handle_pte_v5_6(hmm_vma_walk, pte, pfn);
    return handle_pte_v4_17(hmm_vma_walk, pte, pfn);
}

}  // namespace model_hmm
MMCHECK_ENGINE_END
