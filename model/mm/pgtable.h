// Walking and updating page tables: pXd_offset(), entry accessors, table
// population and the page-table locks (include/linux/pgtable.h, include/linux/mm.h,
// arch/x86/include/asm/pgtable.h, v6.6).
//
// Every access through a table handle first checks that the page it names is still
// the table it was when the handle was made: following a pointer into a data page
// is reported as descend-through-non-table, into a freed or reused table as
// table-use-after-free. Simplification: the p4d level is folded, so pud_offset()
// takes the pgd entry (CONFIG_PGTABLE_LEVELS=4 with p4d folded, as on x86-64
// without 5-level paging).
#pragma once

#include "model/mm/mm_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

#define MM_SITE const std::source_location& where = std::source_location::current()

pgdp_t pgd_offset(mm_struct* mm, unsigned long address);
pudp_t pud_offset(pgdp_t pgd, unsigned long address, MM_SITE);
pmdp_t pmd_offset(pudp_t pud, unsigned long address, MM_SITE);
// Pre-6.5 form: cannot fail; the caller guarantees *pmd is a pte table.
ptep_t pte_offset_map(pmdp_t pmd, unsigned long address, MM_SITE);
inline void pte_unmap(ptep_t) {}

// pgd_addr_end(), pud_addr_end(), pmd_addr_end() — include/linux/pgtable.h v6.6:
// where the entry mapping addr ends, or end if that is first (the "- 1" makes an
// end of 0, the top of the address space, compare right).
inline unsigned long pXd_addr_end(unsigned long addr, unsigned long end, unsigned long size) {
    const unsigned long boundary = (addr + size) & ~(size - 1);
    return boundary - 1 < end - 1 ? boundary : end;
}
inline unsigned long pgd_addr_end(unsigned long addr, unsigned long end) {
    return pXd_addr_end(addr, end, 1ul << PGDIR_SHIFT);
}
inline unsigned long pud_addr_end(unsigned long addr, unsigned long end) { return pXd_addr_end(addr, end, PUD_SIZE); }
inline unsigned long pmd_addr_end(unsigned long addr, unsigned long end) { return pXd_addr_end(addr, end, PMD_SIZE); }

// Reads. pXdp_get() is READ_ONCE (v6.x); deref() is the plain `*pXdp` of older code.
pgd_t deref(pgdp_t p, MM_SITE);
pud_t deref(pudp_t p, MM_SITE);
pmd_t deref(pmdp_t p, MM_SITE);
pte_t deref(ptep_t p, MM_SITE);
pud_t pudp_get(pudp_t p, MM_SITE);
pmd_t pmdp_get(pmdp_t p, MM_SITE);
pmd_t pmdp_get_lockless(pmdp_t p, MM_SITE);
pte_t ptep_get(ptep_t p, MM_SITE);

// Writes (x86 native_set_pXd: WRITE_ONCE).
void set_pgd(pgdp_t p, pgd_t v, MM_SITE);
void set_pud_at(mm_struct* mm, unsigned long addr, pudp_t p, pud_t v, MM_SITE);
void set_pmd_at(mm_struct* mm, unsigned long addr, pmdp_t p, pmd_t v, MM_SITE);
void set_pte_at(mm_struct* mm, unsigned long addr, ptep_t p, pte_t v, MM_SITE);
void pgd_populate(mm_struct* mm, pgdp_t pgd, page* pud_table, MM_SITE);
void pud_populate(mm_struct* mm, pudp_t pud, page* pmd_table, MM_SITE);
void pmd_populate(mm_struct* mm, pmdp_t pmd, page* pte_table, MM_SITE);

// Page-table locks: the pud level uses mm->page_table_lock, pmd and pte tables their
// own split ptl (USE_SPLIT_PMD_PTLOCKS / USE_SPLIT_PTE_PTLOCKS).
kernel::spinlock_t* pud_lockptr(mm_struct* mm, pudp_t pud);
kernel::spinlock_t* pud_lock(mm_struct* mm, pudp_t pud, MM_SITE);
kernel::spinlock_t* pmd_lockptr(mm_struct* mm, pmdp_t pmd, MM_SITE);
kernel::spinlock_t* pmd_lock(mm_struct* mm, pmdp_t pmd, MM_SITE);
kernel::spinlock_t* pte_lockptr(mm_struct* mm, pmdp_t pmd, MM_SITE);
ptep_t pte_offset_map_lock(mm_struct* mm, pmdp_t pmd, unsigned long address, kernel::spinlock_t** ptlp, MM_SITE);
void pte_unmap_unlock(ptep_t pte, kernel::spinlock_t* ptl, MM_SITE);

// Table pages.
page* pmd_alloc_one(mm_struct* mm, unsigned long address);
page* pte_alloc_one(mm_struct* mm);
void pmd_free(mm_struct* mm, page* table);
void pte_free(mm_struct* mm, page* table);
void mm_inc_nr_pmds(mm_struct* mm, MM_SITE);
void mm_inc_nr_ptes(mm_struct* mm, MM_SITE);
void mm_dec_nr_ptes(mm_struct* mm, MM_SITE);
void mm_dec_nr_pmds(mm_struct* mm, MM_SITE);

// Handles into a table page (pte_offset_kernel() of a known table, ptep + i).
pmdp_t pmd_handle(page* table, unsigned index);
ptep_t pte_handle(page* table, unsigned index);
// x86 one-instruction entry updates (xchg): native_pmdp_get_and_clear(),
// pmdp_establish(), native_ptep_get_and_clear().
pmd_t pmdp_huge_get_and_clear(mm_struct* mm, unsigned long addr, pmdp_t p, MM_SITE);
pmd_t pmdp_establish(vm_area_struct* vma, unsigned long addr, pmdp_t p, pmd_t v, MM_SITE);
pte_t ptep_get_and_clear(mm_struct* mm, unsigned long addr, ptep_t p, MM_SITE);
// ptep_set_wrprotect(), pmdp_set_wrprotect() — arch/x86/include/asm/pgtable.h
// v6.6: clear _PAGE_RW with one atomic RMW (clear_bit()), so an accessed or
// dirty bit the MMU sets meanwhile is kept; the model's RMW is a cmpxchg loop.
void ptep_set_wrprotect(mm_struct* mm, unsigned long addr, ptep_t p, MM_SITE);
void pmdp_set_wrprotect(mm_struct* mm, unsigned long addr, pmdp_t p, MM_SITE);
// native_pudp_get_and_clear() (xchg), for zap_huge_pud() and __split_huge_pud_locked().
pud_t pudp_huge_get_and_clear(mm_struct* mm, unsigned long addr, pudp_t p, MM_SITE);
// pgd_clear()/pud_clear()/pmd_clear() (x86 native_*_clear: WRITE_ONCE of 0), for free_pgtables().
void pgd_clear(pgdp_t p, MM_SITE);
void pud_clear(pudp_t p, MM_SITE);
void pmd_clear(pmdp_t p, MM_SITE);

// Exceptions to the revalidate-after-locking check (model/kernel/revalidate.h):
// the caller knows the entry's value under its lock without reading it; the call
// site says why the kernel may write it without a re-check.
void entry_known_under_lock(pmdp_t p);
void entry_known_under_lock(ptep_t p);

#undef MM_SITE

}  // namespace mm
MMCHECK_ENGINE_END
