// Anonymous transparent huge pages, fault, write fault and zap:
// mm/huge_memory.c, v6.6.
//
// Read faults map the huge zero page when use_zero_page is set (page.h: off
// by default in the model) and allocate a THP otherwise. Left out: memcg
// charging, khugepaged registration, userfaultfd, the swap cache and event
// counters.
#include "model/mm/huge_memory.h"
#include "model/mm/pagemap.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

pmd_t mk_huge_pmd(page* p, pgprot_t prot) { return pmd_mkhuge(pfn_pmd(page_to_pfn(p), prot)); }
pmd_t maybe_pmd_mkwrite(pmd_t pmd, const vm_area_struct* vma) {
    return (vma->vm_flags & VM_WRITE) ? pmd_mkwrite(pmd) : pmd;
}

// transhuge_vma_suitable() — include/linux/huge_mm.h v6.6 (anonymous VMAs).
bool transhuge_vma_suitable(const vm_area_struct* vma, unsigned long haddr) {
    return haddr >= vma->vm_start && haddr + PMD_SIZE <= vma->vm_end;
}

// __do_huge_pmd_anonymous_page() — mm/huge_memory.c v6.6.
vm_fault_t __do_huge_pmd_anonymous_page(vm_fault* vmf, page* folio) {
    vm_area_struct* vma = vmf->vma;
    mm_struct* mm = vma->vm_mm;
    const unsigned long haddr = vmf->address & PMD_MASK;
    vm_fault_t ret = 0;

    page* pgtable = pte_alloc_one(mm);
    if (!pgtable) {
        ret = VM_FAULT_OOM;
        goto release;
    }
    // clear_huge_page(); __folio_mark_uptodate()'s barrier orders the clearing
    // before set_pmd_at().
    smp_wmb();

    vmf->ptl = pmd_lock(mm, vmf->pmd);
    if (!pmd_none(deref(vmf->pmd))) goto unlock_release;
    {
        pmd_t entry = mk_huge_pmd(folio, vma_anon_page_prot(vma));
        entry = maybe_pmd_mkwrite(pmd_mkdirty(entry), vma);
        page_add_new_anon_rmap(folio, vma, haddr);
        pgtable_trans_huge_deposit(mm, vmf->pmd, pgtable);
        set_pmd_at(mm, haddr, vmf->pmd, entry);
        mm_inc_nr_ptes(mm);
        spin_unlock(vmf->ptl);
    }
    return 0;
unlock_release:
    spin_unlock(vmf->ptl);
release:
    if (pgtable) pte_free(mm, pgtable);
    put_page(folio);
    return ret;
}

// set_huge_zero_page() — mm/huge_memory.c v6.6; the caller holds the pmd lock
// and has seen pmd_none() under it.
void set_huge_zero_page(page* pgtable, mm_struct* mm, vm_area_struct* vma, unsigned long haddr, pmdp_t pmd,
                        page* zero_page) {
    if (!pmd_none(deref(pmd))) return;
    pmd_t entry = pfn_pmd(page_to_pfn(zero_page), vma_anon_page_prot(vma));  // mk_pmd()
    entry = pmd_mkhuge(entry);
    pgtable_trans_huge_deposit(mm, pmd, pgtable);
    set_pmd_at(mm, haddr, pmd, entry);
    mm_inc_nr_ptes(mm);
}

// do_huge_pmd_anonymous_page()'s read-fault branch, v6.6: map the huge zero
// page, with a deposited table for its later split.
vm_fault_t do_huge_zero_page_fault(vm_fault* vmf) {
    vm_area_struct* vma = vmf->vma;
    const unsigned long haddr = vmf->address & PMD_MASK;
    page* pgtable = pte_alloc_one(vma->vm_mm);
    if (!pgtable) return VM_FAULT_OOM;
    page* zero_page = mm_get_huge_zero_page(vma->vm_mm);
    if (!zero_page) {
        pte_free(vma->vm_mm, pgtable);
        return VM_FAULT_FALLBACK;  // THP_FAULT_FALLBACK
    }
    vmf->ptl = pmd_lock(vma->vm_mm, vmf->pmd);
    if (pmd_none(deref(vmf->pmd))) {
        // check_stable_address_space() and userfaultfd_missing() left out.
        set_huge_zero_page(pgtable, vma->vm_mm, vma, haddr, vmf->pmd, zero_page);
        spin_unlock(vmf->ptl);
    } else {
        spin_unlock(vmf->ptl);
        pte_free(vma->vm_mm, pgtable);
    }
    return 0;
}

// zap_deposited_table() — mm/huge_memory.c v6.6.
void zap_deposited_table(mm_struct* mm, pmdp_t pmd) {
    page* pgtable = pgtable_trans_huge_withdraw(mm, pmd);
    pte_free(mm, pgtable);
    mm_dec_nr_ptes(mm);
}

}  // namespace

// do_huge_pmd_anonymous_page() — mm/huge_memory.c v6.6 (mm_forbids_zeropage()
// is s390's: false). A failed allocation falls back to pte faults.
vm_fault_t do_huge_pmd_anonymous_page(vm_fault* vmf) {
    vm_area_struct* vma = vmf->vma;
    const unsigned long haddr = vmf->address & PMD_MASK;
    if (!transhuge_vma_suitable(vma, haddr)) return VM_FAULT_FALLBACK;
    if (!(vmf->flags & FAULT_FLAG_WRITE) && transparent_hugepage_use_zero_page(vma->vm_mm))
        return do_huge_zero_page_fault(vmf);
    page* folio = vma_alloc_folio(vma, TABLE_INDEX_BITS);  // HPAGE_PMD_ORDER
    if (!folio) return VM_FAULT_FALLBACK;
    return __do_huge_pmd_anonymous_page(vmf, folio);
}

// zap_huge_pmd() — mm/huge_memory.c v6.6; the page is released at once instead
// of through the mmu_gather. The huge zero page and a pmd migration entry hold
// no mapcount or reference to drop; x86 deposits a table only for anonymous THPs.
int zap_huge_pmd(vm_area_struct* vma, pmdp_t pmd, unsigned long addr) {
    mm_struct* mm = vma->vm_mm;
    spinlock_t* ptl = __pmd_trans_huge_lock(pmd, vma);
    if (!ptl) return 0;
    // pmdp_huge_get_and_clear_full(): withdraw only after the pmd is cleared.
    const pmd_t orig_pmd = pmdp_huge_get_and_clear(mm, addr, pmd);
    if (vma_is_special_huge(vma)) {  // arch_needs_pgtable_deposit(): not on x86
        spin_unlock(ptl);
        return 1;
    }
    if (is_huge_zero_pmd(mm, orig_pmd)) {
        zap_deposited_table(mm, pmd);
        spin_unlock(ptl);
        return 1;
    }
    page* p = nullptr;
    bool flush_needed = true;
    if (pmd_present(orig_pmd)) {
        p = pfn_to_page(mm->memory, pmd_pfn(orig_pmd));
        page_remove_rmap(p, vma, true);
        VM_BUG_ON(page_mapcount(p) < 0, "VM_BUG_ON_PAGE(page_mapcount(page) < 0)");
        VM_BUG_ON(p->order == 0 || (p->use != page_use::anon && p->use != page_use::file),
                  "VM_BUG_ON_PAGE(!PageHead(page))");
    } else {  // thp_migration_supported()
        VM_BUG_ON(!is_pmd_migration_entry(orig_pmd), "VM_BUG_ON(!is_pmd_migration_entry(orig_pmd))");
        p = pfn_swap_entry_to_page(mm->memory, pmd_to_swp_entry(orig_pmd));
        flush_needed = false;
    }
    if (vma_is_anonymous(vma)) zap_deposited_table(mm, pmd);  // PageAnon(page); rss counters left out
    spin_unlock(ptl);
    if (flush_needed) put_page(p);  // tlb_remove_page_size()
    return 1;
}

// do_huge_pmd_wp_page() — mm/huge_memory.c v6.6, write and unshare faults:
// the huge zero page and a THP that may be shared are split, and the fault
// falls back to the pte level (do_wp_page() there copies); an exclusive THP
// is made writable in place, or for unshare left as it is.
vm_fault_t do_huge_pmd_wp_page(vm_fault* vmf) {
    const bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
    vm_area_struct* vma = vmf->vma;
    mm_struct* mm = vma->vm_mm;
    const unsigned long haddr = vmf->address & PMD_MASK;
    const pmd_t orig_pmd = vmf->orig_pmd;
    vmf->ptl = pmd_lockptr(mm, vmf->pmd);
    VM_BUG_ON(!vma->anon_vma, "VM_BUG_ON_VMA(!vma->anon_vma, vma)");
    if (is_huge_zero_pmd(mm, orig_pmd)) goto fallback;
    spin_lock(vmf->ptl);
    if (!pmd_same(deref(vmf->pmd), orig_pmd)) {
        spin_unlock(vmf->ptl);
        return 0;
    }
    {
        page* folio = pfn_to_page(mm->memory, pmd_pfn(orig_pmd));  // pmd_page(), page_folio()
        VM_BUG_ON(folio->order == 0, "VM_BUG_ON_PAGE(!PageHead(page), page)");
        /* Early check when only holding the PT lock. */
        if (PageAnonExclusive(folio)) goto reuse;
        if (!trylock_page(folio)) {
            get_page(folio);
            spin_unlock(vmf->ptl);
            lock_page(folio);
            spin_lock(vmf->ptl);
            if (!pmd_same(deref(vmf->pmd), orig_pmd)) {
                spin_unlock(vmf->ptl);
                unlock_page(folio);
                put_page(folio);
                return 0;
            }
            put_page(folio);
        }
        /* Recheck after temporarily dropping the PT lock. */
        if (PageAnonExclusive(folio)) {
            unlock_page(folio);
            goto reuse;
        }
        // See do_wp_page(): reuse only without other references (no swap cache).
        if (page_count(folio) > 1) {
            unlock_page(folio);
            spin_unlock(vmf->ptl);
            goto fallback;
        }
        SetPageAnonExclusive(folio);  // folio_move_anon_rmap()
        unlock_page(folio);
    }
reuse:
    if (unshare) {
        spin_unlock(vmf->ptl);
        return 0;
    }
    {
        pmd_t entry = pmd_mkyoung(orig_pmd);
        entry = maybe_pmd_mkwrite(pmd_mkdirty(entry), vma);
        if (!pmd_same(entry, orig_pmd)) set_pmd_at(mm, haddr, vmf->pmd, entry);  // pmdp_set_access_flags()
        spin_unlock(vmf->ptl);
        return 0;  // VM_FAULT_WRITE is gone in v6.6
    }
fallback:
    __split_huge_pmd(vma, vmf->pmd, vmf->address, false, nullptr);
    return VM_FAULT_FALLBACK;
}

}  // namespace mm
MMCHECK_ENGINE_END
