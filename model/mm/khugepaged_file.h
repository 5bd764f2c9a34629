// khugepaged's file collapse, the page-table half: retract_page_tables()
// (mm/khugepaged.c, v6.6 and the older forms in model/mm/variants.h,
// khugepaged_retract).
#pragma once

#include "model/fs/address_space.h"
#include "model/mm/khugepaged.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// retract_page_tables() — mm/khugepaged.c: after collapse_file() replaced the
// small pages of pgoff's huge range by one THP in the page cache and unmapped
// them, remove the now empty pte table from every VMA that maps the range
// pmd-aligned, so the next fault maps the THP with a pmd.
// v6.6 form (khugepaged_retract::v6_6_pte_free_defer).
void retract_page_tables(address_space* mapping, pgoff_t pgoff);

// collapse_pte_mapped_thp() — mm/khugepaged.c v6.6: the pte table at addr's
// pmd, if it maps only subpages of the page-cache THP there, is cleared and
// removed (pte_free_defer()), and with install_pmd the THP mapped by the pmd.
// Caller holds mmap_lock for read; the THP's page lock is taken inside.
scan_result collapse_pte_mapped_thp(mm_struct* mm, unsigned long addr, bool install_pmd);

// The v6.0 form; it frees the table after tlb_remove_table_sync_one() when the
// mm's variants say fixed_2ba99c5e0881 (v6.1), else at once.
namespace v6_0 {
void retract_page_tables(address_space* mapping, pgoff_t pgoff);
}  // namespace v6_0

}  // namespace mm
MMCHECK_ENGINE_END
