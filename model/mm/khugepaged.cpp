// khugepaged's anonymous collapse: mm/khugepaged.c, v6.6.
//
// Left out: the scan (khugepaged_scan_pmd) and its young-page heuristic, swapin,
// LRU isolation and page locks (no other path here isolates pages), the GUP-pin
// refcount check (nothing pins pages in the model), the anon_vma lock,
// mmu notifiers, memcg. max_ptes_none is the default, all but one pte.
#include "model/mm/khugepaged.h"

#include "model/mm/huge_memory.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/vma_lock.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

constexpr unsigned khugepaged_max_ptes_none = HPAGE_PMD_NR - 1;

// hpage_collapse_test_exit() — mm/khugepaged.c v6.6: the last user is gone.
bool hpage_collapse_test_exit(mm_struct* mm) { return atomic_read(mm->mm_users) == 0; }

// hugepage_vma_revalidate() — mm/khugepaged.c v6.6 (anonymous VMAs).
scan_result hugepage_vma_revalidate(mm_struct* mm, unsigned long address, vm_area_struct** vmap) {
    if (hpage_collapse_test_exit(mm)) return scan_result::SCAN_ANY_PROCESS;
    vm_area_struct* vma = find_vma(mm, address);
    *vmap = vma;
    if (!vma || vma->vm_start > address) return scan_result::SCAN_VMA_CHECK;
    if (address < vma->vm_start || address + PMD_SIZE > vma->vm_end) return scan_result::SCAN_VMA_CHECK;
    if (!vma_is_anonymous(vma) || !(vma->vm_flags & VM_HUGEPAGE)) return scan_result::SCAN_VMA_CHECK;
    return scan_result::SCAN_SUCCEED;
}

// __collapse_huge_page_isolate() — mm/khugepaged.c v6.6, reduced to the pte
// checks (see the file comment). Called with the pte table's lock held.
scan_result __collapse_huge_page_isolate(vm_area_struct* vma, page* pgtable) {
    unsigned none_or_zero = 0;
    bool writable = false;
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        const pte_t pteval = ptep_get(pte_handle(pgtable, i));
        if (pte_none(pteval) || (pte_present(pteval) && is_zero_pfn(pte_pfn(pteval)))) {
            if (++none_or_zero > khugepaged_max_ptes_none) return scan_result::SCAN_EXCEED_NONE_PTE;
            continue;
        }
        if (!pte_present(pteval)) return scan_result::SCAN_PTE_NON_PRESENT;
        page* p = vm_normal_page(vma, 0, pteval);
        if (!p || compound_head(p)->use != page_use::anon) return scan_result::SCAN_PAGE_NULL;
        if (pte_write(pteval)) writable = true;
    }
    // No pte of the range maps its page writable (a read-only VMA, or only
    // KSM pages): not collapsed.
    if (!writable) return scan_result::SCAN_PAGE_RO;
    return scan_result::SCAN_SUCCEED;
}

// __collapse_huge_page_copy_succeeded() — mm/khugepaged.c v6.6: each old pte is
// cleared and its page unmapped and released (the copy itself is data only).
void __collapse_huge_page_copy_succeeded(page* pgtable, vm_area_struct* vma, unsigned long address) {
    mm_struct* mm = vma->vm_mm;
    spinlock_t* ptl = &pgtable->ptl;
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i, address += PAGE_SIZE) {
        const ptep_t pte = pte_handle(pgtable, i);
        const pte_t pteval = ptep_get(pte);
        if (pte_none(pteval)) continue;
        spin_lock(ptl);
        ptep_get_and_clear(mm, address, pte);  // ptep_clear()
        page* src = vm_normal_page(vma, address, pteval);
        if (src) page_remove_rmap(src, vma, false);
        spin_unlock(ptl);
        if (src) put_page(src);  // free_page_and_swap_cache()
    }
}

}  // namespace

// find_pmd_or_thp_or_none() — mm/khugepaged.c v6.6 (mm_find_pmd_raw() inlined,
// p4d folded). Shared with the file collapse in khugepaged_file.cpp, as both
// halves of the kernel's file use it.
scan_result find_pmd_or_thp_or_none(mm_struct* mm, unsigned long address, pmdp_t* pmd) {
    const pgdp_t pgd = pgd_offset(mm, address);
    if (pgd_val(deref(pgd)) == 0) return scan_result::SCAN_PMD_NULL;
    const pudp_t pud = pud_offset(pgd, address);
    const pud_t pudval = deref(pud);
    if (!pud_present(pudval) || pud_leaf(pudval)) return scan_result::SCAN_PMD_NULL;
    *pmd = pmd_offset(pud, address);
    const pmd_t pmde = pmdp_get_lockless(*pmd);
    if (pmd_none(pmde)) return scan_result::SCAN_PMD_NONE;
    if (!pmd_present(pmde)) return scan_result::SCAN_PMD_NULL;
    if (pmd_trans_huge(pmde)) return scan_result::SCAN_PMD_MAPPED;
    if (pmd_devmap(pmde) || pmd_bad(pmde)) return scan_result::SCAN_PMD_NULL;
    return scan_result::SCAN_SUCCEED;
}

// collapse_huge_page() — mm/khugepaged.c v6.6 (anonymous memory).
scan_result collapse_huge_page(mm_struct* mm, unsigned long address) {
    VM_BUG_ON(address & ~PMD_MASK, "VM_BUG_ON(address & ~HPAGE_PMD_MASK)");
    vm_area_struct* vma = nullptr;
    pmdp_t pmd;
    spinlock_t* pmd_ptl;
    pmd_t _pmd;
    page* pgtable;
    scan_result result;

    // The allocation may take long: drop mmap_lock, revalidate after.
    up_read(&mm->mmap_lock);
    vma = find_vma(mm, address);
    page* hpage = vma ? vma_alloc_folio(vma, TABLE_INDEX_BITS) : nullptr;
    if (!hpage) return scan_result::SCAN_ALLOC_HUGE_PAGE_FAIL;

    down_read(&mm->mmap_lock);
    result = hugepage_vma_revalidate(mm, address, &vma);
    if (result == scan_result::SCAN_SUCCEED) result = find_pmd_or_thp_or_none(mm, address, &pmd);
    up_read(&mm->mmap_lock);
    if (result != scan_result::SCAN_SUCCEED) goto out_nolock;

    // Prevent all access to pagetables except gup_fast (and the rmap, which
    // the anon_vma lock and page locks would hold off).
    mmap_write_lock(mm);
    result = hugepage_vma_revalidate(mm, address, &vma);
    if (result != scan_result::SCAN_SUCCEED) goto out_up_write;
    {   // check_pmd_still_valid()
        pmdp_t again;
        result = find_pmd_or_thp_or_none(mm, address, &again);
        if (result == scan_result::SCAN_SUCCEED && again.table != pmd.table) result = scan_result::SCAN_FAIL;
        if (result != scan_result::SCAN_SUCCEED) goto out_up_write;
    }
    // Faults under the per-VMA lock would see the pmd cleared below: wait for
    // them and keep new ones on mmap_lock until mmap_write_unlock().
    vma_start_write(vma);

    pmd_ptl = pmd_lock(mm, pmd); /* probably unnecessary */
    _pmd = pmdp_collapse_flush(vma, address, pmd);
    spin_unlock(pmd_ptl);

    // pte_offset_map_lock(mm, &_pmd, ...): the table the old pmd named, now
    // reachable only from this thread and from walkers that read the pmd before.
    pgtable = pfn_to_page(mm->memory, pmd_pfn(_pmd));
    spin_lock(&pgtable->ptl);
    result = __collapse_huge_page_isolate(vma, pgtable);
    spin_unlock(&pgtable->ptl);
    if (result != scan_result::SCAN_SUCCEED) {
        spin_lock(pmd_ptl);
        VM_BUG_ON(!pmd_none(deref(pmd)), "BUG_ON(!pmd_none(*pmd))");
        // set_pmd_at() only establishes huge pmds; pmd_populate() for tables.
        pmd_populate(mm, pmd, pgtable);
        spin_unlock(pmd_ptl);
        goto out_up_write;
    }
    __collapse_huge_page_copy_succeeded(pgtable, vma, address);

    smp_wmb();  // __SetPageUptodate(): the copy before set_pmd_at()
    _pmd = pmd_mkhuge(pfn_pmd(page_to_pfn(hpage), vma_anon_page_prot(vma)));
    _pmd = pmd_mkdirty(_pmd);
    if (vma->vm_flags & VM_WRITE) _pmd = pmd_mkwrite(_pmd);  // maybe_pmd_mkwrite()

    spin_lock(pmd_ptl);
    VM_BUG_ON(!pmd_none(deref(pmd)), "BUG_ON(!pmd_none(*pmd))");
    page_add_new_anon_rmap(hpage, vma, address);
    pgtable_trans_huge_deposit(mm, pmd, pgtable);
    set_pmd_at(mm, address, pmd, _pmd);
    spin_unlock(pmd_ptl);
    hpage = nullptr;
    result = scan_result::SCAN_SUCCEED;
out_up_write:
    mmap_write_unlock(mm);
out_nolock:
    if (hpage) put_page(hpage);
    return result;
}

}  // namespace mm
MMCHECK_ENGINE_END
