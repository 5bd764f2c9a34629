// See khugepaged_file.h: retract_page_tables(), mm/khugepaged.c v6.6, with the
// v6.0 form and its 2ba99c5e0881 fix as variants.
//
// Left out: collapse_file() itself (the page-cache side: the scenarios start
// from its result, an empty pte table or ptes still mapping the THP's
// subpages), mmu notifiers in retract_page_tables(), userfaultfd-wp, the anon_vma check (the model's file VMAs are
// shared mappings and have none), hpage_collapse_test_exit() (no mm exits
// during these runs) and, for v6.0, khugepaged_add_pte_mapped_thp() when the
// mmap_lock trylock fails (the retry happens outside the run).
#include "model/mm/khugepaged_file.h"

#include "model/mm/gup.h"
#include "model/mm/mmu_notifier.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

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
        if (find_pmd_or_thp_or_none(mm, addr, &pmd) != scan_result::SCAN_SUCCEED) continue;
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
        if (find_pmd_or_thp_or_none(mm, addr, &pmd) != scan_result::SCAN_SUCCEED) continue;
        spinlock_t* pml = pmd_lock(mm, pmd);
        spinlock_t* ptl = pte_lockptr(mm, pmd);
        if (ptl != pml) spin_lock_nested(ptl, SINGLE_DEPTH_NESTING);
        const pmd_t pgt_pmd = pmdp_collapse_flush(vma, addr, pmd);
        smp_mb();  // pmdp_get_lockless_sync(): a no-op barrier on x86-64
        if (ptl != pml) spin_unlock(ptl);
        spin_unlock(pml);
        mm_dec_nr_ptes(mm);
        pte_free_defer(mm, pfn_to_page(mm->memory, pmd_pfn(pgt_pmd)));
    }
    i_mmap_unlock_read(mapping);
}

// find_lock_page() — mm/filemap.c v6.6 on the model's fixed page cache: a
// reference and the page lock (no truncation, so no mapping re-check).
page* find_lock_page(address_space* mapping, pgoff_t index) {
    if (index >= I_PAGES_SLOTS || !mapping->i_pages[index]) return nullptr;
    page* p = mapping->i_pages[index];
    get_page(p);
    p->PG_locked.lock("lock_page", std::source_location::current());
    return p;
}

void unlock_put_page(page* hpage) {
    hpage->PG_locked.unlock("unlock_page", std::source_location::current());
    put_page(hpage);
}

// do_set_pmd() — mm/memory.c v6.6 for a read fault: map the page-cache THP by
// the pmd, unless something filled it meanwhile. Left out: the rss counter.
vm_fault_t do_set_pmd(vm_fault* vmf, page* hpage) {
    vm_area_struct* vma = vmf->vma;
    const unsigned long haddr = vmf->address & PMD_MASK;
    vm_fault_t ret = VM_FAULT_FALLBACK;
    vmf->ptl = pmd_lock(vma->vm_mm, vmf->pmd);
    if (pmd_none(deref(vmf->pmd))) {
        const pmd_t entry = pmd_mkhuge(pfn_pmd(page_to_pfn(hpage), PAGE_READONLY));  // mk_huge_pmd()
        page_add_file_rmap(hpage, vma, true);
        set_pmd_at(vma->vm_mm, haddr, vmf->pmd, entry);
        ret = 0;
    }
    spin_unlock(vmf->ptl);
    return ret;
}

// set_huge_pmd() — mm/khugepaged.c v6.6.
scan_result set_huge_pmd(vm_area_struct* vma, unsigned long addr, pmdp_t pmdp, page* hpage) {
    vm_fault vmf;
    vmf.vma = vma;
    vmf.address = addr;
    vmf.pmd = pmdp;
    if (do_set_pmd(&vmf, hpage)) return scan_result::SCAN_FAIL;
    get_page(hpage);
    return scan_result::SCAN_SUCCEED;
}

// collapse_pte_mapped_thp()'s steps 1 and 2: does every pte map subpage i of
// hpage (or nothing)? With `clear`, clear those ptes and their rmap as it goes.
// Returns false on a pte that maps anything else; *nr_ptes counts the cleared.
bool ptes_map_hpage(vm_area_struct* vma, ptep_t start_pte, unsigned long haddr, page* hpage, bool clear,
                    int* nr_ptes, scan_result* result) {
    mm_struct* mm = vma->vm_mm;
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        const unsigned long addr = haddr + i * PAGE_SIZE;
        const ptep_t pte{start_pte.table, start_pte.index + i, start_pte.generation};
        const pte_t ptent = ptep_get(pte);
        if (pte_none(ptent)) continue; /* empty pte, skip */
        if (!pte_present(ptent)) {     /* page swapped out, abort */
            *result = scan_result::SCAN_PTE_NON_PRESENT;
            return false;
        }
        // uprobe, debugger or MAP_PRIVATE may have changed the page table, but
        // the new page will not be a subpage of hpage.
        page* p = vm_normal_page(vma, addr, ptent);
        if (p != pfn_to_page(mm->memory, hpage->pfn + i)) return false;
        if (!clear) continue;
        // Must clear the entry, or a racing truncate may remove it again; the
        // TLB flush waits for pmdp_collapse_flush().
        ptep_get_and_clear(mm, addr, pte);  // ptep_clear()
        page_remove_rmap(p, vma, false);
        ++*nr_ptes;
    }
    return true;
}

// collapse_pte_mapped_thp()'s step 4: take the emptied table out under the
// pmd lock (and the ptl nested in it) and free it after an RCU grace period.
void remove_empty_table(vm_area_struct* vma, unsigned long haddr, pmdp_t pmd, spinlock_t* ptl) {
    mm_struct* mm = vma->vm_mm;
    spinlock_t* pml = pmd_lock(mm, pmd);
    if (ptl != pml) spin_lock_nested(ptl, SINGLE_DEPTH_NESTING);
    const pmd_t pgt_pmd = pmdp_collapse_flush(vma, haddr, pmd);
    smp_mb();  // pmdp_get_lockless_sync(): a no-op barrier on x86-64
    if (ptl != pml) spin_unlock(ptl);
    spin_unlock(pml);
    mm_dec_nr_ptes(mm);
    pte_free_defer(mm, pfn_to_page(mm->memory, pmd_pfn(pgt_pmd)));  // pmd_pgtable(pgt_pmd)
}

// The locked part of collapse_pte_mapped_thp(), steps 1 to 4, inside the
// notifier bracket from step 2 on. Returns SCAN_SUCCEED with the table gone.
scan_result collapse_pte_table(vm_area_struct* vma, unsigned long haddr, pmdp_t pmd, page* hpage) {
    mm_struct* mm = vma->vm_mm;
    spinlock_t* ptl = nullptr;
    int nr_ptes = 0;
    scan_result result = scan_result::SCAN_FAIL;
    ptep_t start_pte = v6_5::pte_offset_map_lock(mm, pmd, haddr, &ptl);
    if (!start_pte.table) return result; /* mmap_lock + page lock should prevent this */
    /* step 1: check all mapped PTEs are to the right huge page */
    const bool same = ptes_map_hpage(vma, start_pte, haddr, hpage, false, &nr_ptes, &result);
    v6_5::pte_unmap_unlock(start_pte, ptl);
    if (!same) return result;
    mmu_notifier_range range;
    mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, vma, mm, haddr, haddr + PMD_SIZE);
    mmu_notifier_invalidate_range_start(&range);
    start_pte = v6_5::pte_offset_map_nolock(mm, pmd, haddr, &ptl);
    if (start_pte.table) {
        spin_lock(ptl);
        /* step 2: clear page table and adjust rmap */
        const bool cleared = ptes_map_hpage(vma, start_pte, haddr, hpage, true, &nr_ptes, &result);
        v6_5::pte_unmap(start_pte);
        spin_unlock(ptl);
        /* step 3: set proper refcount (and, left out, mm_counters) */
        if (nr_ptes) page_ref_add(hpage, -nr_ptes);
        /* step 4: remove empty page table */
        if (cleared) remove_empty_table(vma, haddr, pmd, ptl);
        if (cleared) result = scan_result::SCAN_SUCCEED;
    }
    mmu_notifier_invalidate_range_end(&range);
    return result;
}

}  // namespace

// collapse_pte_mapped_thp() — mm/khugepaged.c v6.6: after collapse_file() put
// a THP in the page cache, replace a pte table that maps only its subpages by
// the pmd mapping (install_pmd) or by nothing, refaulted later. Caller holds
// mmap_lock for read (v6.6's mmap_assert_locked(); up to v6.4 it was held for
// write). Left out: hugepage_vma_check(), userfaultfd (so no early pmd lock),
// the rss counters and the abort path's flush_tlb_mm() (no TLB).
scan_result collapse_pte_mapped_thp(mm_struct* mm, unsigned long addr, bool install_pmd) {
    const unsigned long haddr = addr & PMD_MASK;
    vm_area_struct* vma = find_vma(mm, haddr);  // vma_lookup()
    pmdp_t pmd;
    /* First check VMA found, in case page tables are being torn down */
    if (!vma || vma->vm_start > haddr || !vma->vm_mapping || vma->vm_end < haddr + PMD_SIZE)
        return scan_result::SCAN_VMA_CHECK;
    /* Fast check before locking page if already PMD-mapped */
    scan_result result = find_pmd_or_thp_or_none(mm, haddr, &pmd);
    if (result == scan_result::SCAN_PMD_MAPPED) return result;
    page* hpage = find_lock_page(vma->vm_mapping, vma->vm_pgoff + ((haddr - vma->vm_start) >> PAGE_SHIFT));
    if (!hpage) return scan_result::SCAN_PAGE_NULL;
    if (hpage->order != TABLE_INDEX_BITS || hpage->compound_head) {  // PageHead(), HPAGE_PMD_ORDER
        unlock_put_page(hpage);
        return scan_result::SCAN_FAIL;
    }
    result = find_pmd_or_thp_or_none(mm, haddr, &pmd);
    // SCAN_PMD_NONE: all pte entries have been removed and the pmd cleared;
    // skip the pte checks and just install the pmd mapping.
    if (result == scan_result::SCAN_SUCCEED) result = collapse_pte_table(vma, haddr, pmd, hpage);
    if (result == scan_result::SCAN_SUCCEED || result == scan_result::SCAN_PMD_NONE) {
        /* step 5: install pmd entry */
        result = install_pmd ? set_huge_pmd(vma, haddr, pmd, hpage) : scan_result::SCAN_SUCCEED;
    }
    unlock_put_page(hpage);
    return result;
}

void retract_page_tables(address_space* mapping, pgoff_t pgoff) { retract_page_tables_v6_6(mapping, pgoff); }

namespace v6_0 {
void retract_page_tables(address_space* mapping, pgoff_t pgoff) { retract_page_tables_v6_0(mapping, pgoff); }
}  // namespace v6_0

}  // namespace mm
MMCHECK_ENGINE_END
