// khugepaged's anonymous collapse (mm/khugepaged.c, v6.6).
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

enum class scan_result {
    SCAN_FAIL,
    SCAN_SUCCEED,
    SCAN_PMD_NULL,
    SCAN_PMD_NONE,
    SCAN_PMD_MAPPED,
    SCAN_EXCEED_NONE_PTE,
    SCAN_PTE_NON_PRESENT,
    SCAN_PAGE_RO,
    SCAN_PAGE_NULL,
    SCAN_VMA_CHECK,
    SCAN_ALLOC_HUGE_PAGE_FAIL,
    SCAN_ANY_PROCESS,  // the mm is exiting
};

// The pmd of address when it names a pte table (SCAN_SUCCEED), else why not; a
// lockless read of the pmd. Used by the anonymous and the file collapse.
scan_result find_pmd_or_thp_or_none(mm_struct* mm, unsigned long address, pmdp_t* pmd);

// Called with mmap_lock held for read (from khugepaged_scan_pmd()); returns with
// it released, as in the kernel.
scan_result collapse_huge_page(mm_struct* mm, unsigned long address);

}  // namespace mm
MMCHECK_ENGINE_END
