// See khugepaged_file.h: retract_page_tables(), mm/khugepaged.c v6.6, with the
// v6.0 form and its 2ba99c5e0881 fix as variants.
//
// Left out: collapse_file() itself (the page-cache side: the scenarios start
// from its result, an empty pte table), collapse_pte_mapped_thp(), mmu
// notifiers, userfaultfd-wp, the anon_vma check (the model's file VMAs are
// shared mappings and have none), hpage_collapse_test_exit() (no mm exits
// during these runs) and, for v6.0, khugepaged_add_pte_mapped_thp() when the
// mmap_lock trylock fails (the retry happens outside the run).
#include "model/mm/khugepaged_file.h"

#include "model/mm/gup.h"
#include "model/mm/pgtable_generic.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// find_pmd_or_thp_or_none() — mm/khugepaged.c v6.6 (mm_find_pmd_raw() inlined,
// p4d folded); model/mm/khugepaged.cpp keeps its own file-local copy.
bool find_pmd_or_thp_or_none(mm_struct* mm, unsigned long address, pmdp_t* pmd) {
    const pgdp_t pgd = pgd_offset(mm, address);
    if (pgd_val(deref(pgd)) == 0) return false;
    const pudp_t pud = pud_offset(pgd, address);
    const pud_t pudval = deref(pud);
    if (!pud_present(pudval) || pud_leaf(pudval)) return false;
    *pmd = pmd_offset(pud, address);
    const pmd_t pmde = pmdp_get_lockless(*pmd);
    // SCAN_SUCCEED only for a pmd that names a pte table.
    return !pmd_none(pmde) && pmd_present(pmde) && !pmd_trans_huge(pmde) && !pmd_devmap(pmde) && !pmd_bad(pmde);
}

// The address at which vma maps pgoff, if it maps a whole pmd from there.
bool pmd_aligned_address(const vm_area_struct* vma, pgoff_t pgoff, unsigned long* addr) {
    *addr = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
    return !(*addr & ~PMD_MASK) && vma->vm_end >= *addr + PMD_SIZE;
}

// collapse_and_free_pmd() — mm/khugepaged.c v6.0; with fixed_2ba99c5e0881 the
// v6.1 tlb_remove_table_sync_one() before the table is freed.
void collapse_and_free_pmd(mm_struct* mm, vm_area_struct* vma, unsigned long addr, pmdp_t pmdp) {
    spinlock_t* ptl = pmd_lock(mm, pmdp);
    const pmd_t pmd = pmdp_collapse_flush(vma, addr, pmdp);
    spin_unlock(ptl);
    mm_dec_nr_ptes(mm);
    if (mm->variants.retract == khugepaged_retract::fixed_2ba99c5e0881) tlb_remove_table_sync_one();
    pte_free(mm, pfn_to_page(mm->memory, pmd_pfn(pmd)));  // pmd_pgtable(pmd)
}

// retract_page_tables() — mm/khugepaged.c v6.0 (and v6.1 with 2ba99c5e0881):
// i_mmap_rwsem for write, each mm's mmap_lock by trylock.
void retract_page_tables_v6_0(address_space* mapping, pgoff_t pgoff) {
    i_mmap_lock_write(mapping);
    unsigned slot = 0;
    while (vm_area_struct* vma = vma_interval_tree_next(mapping, &slot, pgoff, pgoff)) {
        unsigned long addr;
        if (!pmd_aligned_address(vma, pgoff, &addr)) continue;
        mm_struct* mm = vma->vm_mm;
        pmdp_t pmd;
        if (!find_pmd_or_thp_or_none(mm, addr, &pmd)) continue;
        // We need mmap_lock for write to remove the page table; if the trylock
        // fails the range stays pte-mapped until a later retry.
        if (!down_write_trylock(&mm->mmap_lock)) continue;
        collapse_and_free_pmd(mm, vma, addr, pmd);
        up_write(&mm->mmap_lock);
    }
    i_mmap_unlock_write(mapping);
}

// retract_page_tables() — mm/khugepaged.c v6.6 (1d65b771bc08, v6.5): no
// mmap_lock or VMA lock; i_mmap_rwsem for read keeps the VMAs, the pmd and
// pte locks the entry, pte_free_defer() the table for lockless walkers.
void retract_page_tables_v6_6(address_space* mapping, pgoff_t pgoff) {
    i_mmap_lock_read(mapping);
    unsigned slot = 0;
    while (vm_area_struct* vma = vma_interval_tree_next(mapping, &slot, pgoff, pgoff)) {
        unsigned long addr;
        if (!pmd_aligned_address(vma, pgoff, &addr)) continue;
        mm_struct* mm = vma->vm_mm;
        pmdp_t pmd;
        if (!find_pmd_or_thp_or_none(mm, addr, &pmd)) continue;
        spinlock_t* pml = pmd_lock(mm, pmd);
        spinlock_t* ptl = pte_lockptr(mm, pmd);
        if (ptl != pml) spin_lock(ptl);  // spin_lock_nested(ptl, SINGLE_DEPTH_NESTING)
        const pmd_t pgt_pmd = pmdp_collapse_flush(vma, addr, pmd);
        smp_mb();  // pmdp_get_lockless_sync(): a no-op barrier on x86-64
        if (ptl != pml) spin_unlock(ptl);
        spin_unlock(pml);
        mm_dec_nr_ptes(mm);
        pte_free_defer(mm, pfn_to_page(mm->memory, pmd_pfn(pgt_pmd)));
    }
    i_mmap_unlock_read(mapping);
}

}  // namespace

void retract_page_tables(address_space* mapping, pgoff_t pgoff) { retract_page_tables_v6_6(mapping, pgoff); }

namespace v6_0 {
void retract_page_tables(address_space* mapping, pgoff_t pgoff) { retract_page_tables_v6_0(mapping, pgoff); }
}  // namespace v6_0

}  // namespace mm
MMCHECK_ENGINE_END
