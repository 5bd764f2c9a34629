// Generic page-table helpers of mm/pgtable-generic.c (v6.6): the deposited pte
// table of a huge pmd, pmdp_invalidate(), pmdp_collapse_flush(), pte_free_defer(),
// and the 6.5+ pte_offset_map() family, which may fail.
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

void pgtable_trans_huge_deposit(mm_struct* mm, pmdp_t pmdp, page* pgtable);
page* pgtable_trans_huge_withdraw(mm_struct* mm, pmdp_t pmdp);
pmd_t pmdp_invalidate(vm_area_struct* vma, unsigned long address, pmdp_t pmdp);
pmd_t pmdp_collapse_flush(vm_area_struct* vma, unsigned long address, pmdp_t pmdp);
void pte_free_defer(mm_struct* mm, page* pgtable);

// Since v6.5 (0d940a9b270b "mm/pgtable: allow pte_offset_map[_lock]() to fail"),
// mapping a pte table takes rcu_read_lock() and returns NULL (.table == nullptr)
// unless the pmd, read once, names a table; pte_offset_map_lock() re-checks
// pmd_same() under the ptl. pte_unmap() leaves the RCU read-side section.
// The pre-6.5 forms keep their names in pgtable.h.
namespace v6_5 {
ptep_t __pte_offset_map(pmdp_t pmd, unsigned long addr, pmd_t* pmdvalp);
ptep_t pte_offset_map(pmdp_t pmd, unsigned long addr);
ptep_t pte_offset_map_lock(mm_struct* mm, pmdp_t pmd, unsigned long addr, kernel::spinlock_t** ptlp);
// Maps without locking; *ptlp is the lock of the table the pmd named when read.
ptep_t pte_offset_map_nolock(mm_struct* mm, pmdp_t pmd, unsigned long addr, kernel::spinlock_t** ptlp);
void pte_unmap(ptep_t pte);
void pte_unmap_unlock(ptep_t pte, kernel::spinlock_t* ptl);
}  // namespace v6_5

}  // namespace mm
MMCHECK_ENGINE_END
