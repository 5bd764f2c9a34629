// The HMM driver-defined pfn format and the fault decision of hmm_vma_fault()
// (include/linux/hmm.h, mm/hmm.c), from "mm/hmm: use device driver encoding for
// HMM pfn" (f88a1e90c665, v4.17-rc1) until "mm/hmm: remove the customizable pfn
// format from hmm_range_fault" (2733ea144dcc, v5.8) replaced it with fixed bits.
//
// A driver describes its own device page-table entry format: which bit means
// valid, writable and device-private (flags[]), which whole values mean "no CPU
// entry", "error" and "special" (values[]), and how far the pfn is shifted
// (pfn_shift). HMM fills the driver's pfns[] array in that format. The same
// array carries the driver's request in: per page, the flags it wants.
//
// Pure, single-threaded functions: nothing here touches the primitives seam. The
// file is compiled once per engine like the rest of model/, so it lives in the
// engine's inline namespace; code names it mmcheck::model_hmm all the same.
//
// Left out everywhere: the mm_walk plumbing (addresses, pmd/pte mapping, pgmap
// references), the fault itself (hmm_vma_walk_hole_()/hmm_vma_fault() calling
// handle_mm_fault()), swap and migration entries, and protnone ptes (NUMA
// hinting, 789c2af88f24, v5.2).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "model/kernel/detail/engine_ns.h"

MMCHECK_ENGINE_BEGIN
namespace model_hmm {

// Which kernel's hmm_pte_need_fault()/hmm_range_need_fault()/hmm_vma_handle_pte()
// a call follows.
enum class hmm_version {
    // The seed's 2018 form as committed: 2aee09d8c116 ("mm/hmm: change
    // hmm_vma_fault() to allow write fault on page basis") converted to the driver
    // encoding by f88a1e90c665. hmm_pte_need_fault() asks for a fault when the CPU
    // entry IS valid, and cancels it when a write is wanted on a read-only entry;
    // hmm_vma_handle_pte() overwrites pfns[i] with values[HMM_PFN_NONE] before
    // reading the request from it.
    v4_17_rc1_f88a1e90c665,
    // Both fixed by Ralph Campbell before v4.17 ("Small HMM fixes", 2018-03-26):
    // "mm/hmm: do not ignore specific pte fault flag in hmm_vma_fault()" (saves
    // orig_pfn) and "mm/hmm: clarify fault logic for device private memory"
    // (un-inverts the valid and write tests; device-private entries fault only
    // when the request has HMM_PFN_DEVICE_PRIVATE).
    v4_17,
    // The last form with the driver encoding and the device-private request flag:
    // requests are (pfns[i] & pfn_flags_mask) | default_flags (023a019a9b4e,
    // v5.2), and hmm_range_need_fault() ORs over the pages instead of stopping at
    // the first page that faults ("mm/hmm: improve driver API to work and wait
    // over a range", v5.2). v5.7 replaced the device-private flag by an owner
    // check (08ddddda667b).
    v5_6,
};

std::string_view hmm_version_name(hmm_version version);

// hmm_pfn_flag_e: index into hmm_range::flags.
enum hmm_pfn_flag_e : unsigned { HMM_PFN_VALID, HMM_PFN_WRITE, HMM_PFN_DEVICE_PRIVATE, HMM_PFN_FLAG_MAX };
// hmm_pfn_value_e: index into hmm_range::values.
enum hmm_pfn_value_e : unsigned { HMM_PFN_ERROR, HMM_PFN_NONE, HMM_PFN_SPECIAL, HMM_PFN_VALUE_MAX };

// struct hmm_range: only the encoding and request fields.
struct hmm_range {
    std::array<std::uint64_t, HMM_PFN_FLAG_MAX> flags{};
    std::array<std::uint64_t, HMM_PFN_VALUE_MAX> values{};
    std::uint8_t pfn_shift = 0;  // "should be <= PAGE_SHIFT"
    // v5.2+ only. The kernel's zero-initialised mask would drop every per-page
    // request; the model's default keeps them, as the v4.17 code did.
    std::uint64_t default_flags = 0;
    std::uint64_t pfn_flags_mask = ~std::uint64_t{0};
};

// struct page stands for itself by its pfn (pfn_to_page()/page_to_pfn()).
struct page {
    std::uint64_t pfn = 0;
    friend bool operator==(const page&, const page&) = default;
};

// hmm_pfn_to_pfn()'s "-1UL": no pfn.
inline constexpr std::uint64_t no_pfn = ~std::uint64_t{0};

std::optional<page> hmm_pfn_to_page(const hmm_range* range, std::uint64_t pfn);
std::uint64_t hmm_pfn_to_pfn(const hmm_range* range, std::uint64_t pfn);
std::uint64_t hmm_pfn_from_page(const hmm_range* range, page page);
std::uint64_t hmm_pfn_from_pfn(const hmm_range* range, std::uint64_t pfn);

// The CPU page-table entry hmm_vma_handle_pte() looks at.
struct cpu_pte {
    enum class kind : std::uint8_t {
        none,            // pte_none()
        present,         // pte_present()
        device_private,  // !pte_present(), is_device_private_entry()
    };
    kind type = kind::none;
    bool write = false;    // pte_write(), or is_write_device_private_entry()
    bool special = false;  // pte_special() (present only)
    bool zero = false;     // is_zero_pfn(pte_pfn()) (present only)
    std::uint64_t pfn = 0; // pte_pfn(), or swp_offset() of a device-private entry
};

// struct hmm_vma_walk: the fields the decision reads, plus the version it follows
// and what the fault path (hmm_vma_walk_hole_()) would have been asked to do.
struct hmm_vma_walk {
    const hmm_range* range = nullptr;
    hmm_version version = hmm_version::v5_6;
    // hmm_vma_fault() (true) or hmm_vma_get_pfns(); v5.x: !(flags & HMM_FAULT_SNAPSHOT).
    bool fault = true;
    struct fault_request {
        bool fault = false;
        bool write_fault = false;
    };
    std::optional<fault_request> faulted;  // set when hmm_vma_handle_pte() took the fault path
};

std::uint64_t pte_to_hmm_pfn_flags(const hmm_range* range, cpu_pte pte);
void hmm_pte_need_fault(const hmm_vma_walk* hmm_vma_walk, std::uint64_t pfns, std::uint64_t cpu_flags,
                        bool* fault, bool* write_fault);
void hmm_range_need_fault(const hmm_vma_walk* hmm_vma_walk, const std::uint64_t* pfns, unsigned long npages,
                          std::uint64_t cpu_flags, bool* fault, bool* write_fault);

// Returns 0 with *pfn filled in; after taking the fault path (recorded in
// hmm_vma_walk->faulted) the retry code of that version, -EAGAIN (v4.17) or -EBUSY
// (v5.x); -EFAULT with values[HMM_PFN_SPECIAL] for a special pte (v5.x).
int hmm_vma_handle_pte(hmm_vma_walk* hmm_vma_walk, cpu_pte pte, std::uint64_t* pfn);

}  // namespace model_hmm
MMCHECK_ENGINE_END
