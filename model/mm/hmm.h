// hmm_range_fault(): a snapshot of the CPU page table for a device driver,
// faulting in what the driver asks for (include/linux/hmm.h and mm/hmm.c, v6.6:
// the fixed HMM_PFN_* bits of 2733ea144dcc, v5.8; the seed's driver-defined
// encoding is model/mm/hmm_pfn.h).
//
// The snapshot is valid only while range->notifier_seq holds: the driver must
// take its own lock and check mmu_interval_read_retry() before using it
// (Documentation/mm/hmm.rst); model/drivers/mirror.cpp is such a driver.
//
// Left out: hugetlb, device-exclusive entries, devmap checks, pmd migration
// entries. Device-private entries of dev_private_owner's pgmap are reported
// (valid, write if writable), others faulted back to RAM.
#pragma once

#include "model/mm/mmu_notifier.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

inline constexpr unsigned long HMM_PFN_VALID = 1ul << 63;
inline constexpr unsigned long HMM_PFN_WRITE = 1ul << 62;
inline constexpr unsigned long HMM_PFN_ERROR = 1ul << 61;
inline constexpr unsigned HMM_PFN_ORDER_SHIFT = 56;
inline constexpr unsigned long HMM_PFN_REQ_FAULT = HMM_PFN_VALID;
inline constexpr unsigned long HMM_PFN_REQ_WRITE = HMM_PFN_WRITE;
inline constexpr unsigned long HMM_PFN_FLAGS = 0xFFul << HMM_PFN_ORDER_SHIFT;

inline unsigned long hmm_pfn_to_pfn(unsigned long hmm_pfn) { return hmm_pfn & ~HMM_PFN_FLAGS; }

struct hmm_range {
    mmu_interval_notifier* notifier = nullptr;
    unsigned long notifier_seq = 0;
    unsigned long start = 0;
    unsigned long end = 0;
    unsigned long* hmm_pfns = nullptr;  // the driver's array: requests in, snapshot out
    unsigned long default_flags = 0;
    unsigned long pfn_flags_mask = 0;
    void* dev_private_owner = nullptr;
};

// hmm_range_fault() — mm/hmm.c v6.6. Caller holds mmap_lock for read. Returns 0,
// -EBUSY when range->notifier_seq no longer holds, or another -errno.
int hmm_range_fault(hmm_range* range);

}  // namespace mm
MMCHECK_ENGINE_END
