// Anonymous page faults and copy-on-write: mm/memory.c, v6.6 (do_anonymous_page,
// do_wp_page, wp_page_reuse, wp_page_copy), on the 6.5+ pte_offset_map_lock().
//
// Left out: memcg charging, userfaultfd, swap cache, mmu notifiers (S8 adds
// them around wp_page_copy), and PageAnonExclusive: with no fork or KSM in this
// slice every anonymous page is exclusive, so a write fault on one reuses it.
#include "model/mm/memory.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

pte_t maybe_mkwrite(pte_t pte, const vm_area_struct* vma) {
    return (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte) : pte;
}

// vmf_pte_changed() — mm/memory.c v6.6 (no FAULT_FLAG_ORIG_PTE_VALID here).
bool vmf_pte_changed(vm_fault* vmf) { return !pte_none(ptep_get(vmf->pte)); }

// wp_page_reuse() — mm/memory.c v6.6: called with the pte mapped and locked by
// handle_pte_fault() (the pre-6.5 mapping, see memory.cpp).
void wp_page_reuse(vm_fault* vmf) {
    vm_area_struct* vma = vmf->vma;
    pte_t entry = pte_mkyoung(vmf->orig_pte);
    entry = maybe_mkwrite(pte_mkdirty(entry), vma);
    if (!pte_same(ptep_get(vmf->pte), entry))  // ptep_set_access_flags()
        set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
    pte_unmap_unlock(vmf->pte, vmf->ptl);
}

// wp_page_copy() — mm/memory.c v6.6: copy to a new page with the lock dropped,
// then re-check the pte under the lock before switching it.
vm_fault_t wp_page_copy(vm_fault* vmf, page* old_page) {
    vm_area_struct* vma = vmf->vma;
    mm_struct* mm = vma->vm_mm;
    page* new_page = vma_alloc_folio(vma, 0);  // zeroed for the zero page, else copied
    if (!new_page) {
        if (old_page) put_page(old_page);
        return VM_FAULT_OOM;
    }
    smp_wmb();  // __folio_mark_uptodate(): the copy before the pte
    bool page_copied = false;
    vmf->pte = v6_5::pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
    if (vmf->pte.table && pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
        pte_t entry = pfn_pte(page_to_pfn(new_page), vma_anon_page_prot(vma));
        entry = maybe_mkwrite(pte_mkdirty(pte_mkyoung(entry)), vma);
        // Clear and flush first, so no CPU sees old and new pages at once.
        ptep_get_and_clear(mm, vmf->address, vmf->pte);  // ptep_clear_flush()
        page_add_new_anon_rmap(new_page, vma, vmf->address);
        set_pte_at(mm, vmf->address, vmf->pte, entry);  // set_pte_at_notify()
        // Only after switching the pte to the new page may the mapcount drop.
        if (old_page) page_remove_rmap(old_page, vma, false);
        new_page = old_page;  // Free the old page..
        page_copied = true;
        v6_5::pte_unmap_unlock(vmf->pte, vmf->ptl);
    } else if (vmf->pte.table) {
        v6_5::pte_unmap_unlock(vmf->pte, vmf->ptl);
    }
    (void)page_copied;  // free_swap_cache(): no swap cache in the model
    if (new_page) put_page(new_page);
    if (old_page) put_page(old_page);  // the reference do_wp_page() took
    return 0;
}

}  // namespace

// do_anonymous_page() — mm/memory.c v6.6 (order-0 folios only, as before 6.8's
// mTHP): the zero page for reads, a new page for writes.
vm_fault_t do_anonymous_page(vm_fault* vmf) {
    vm_area_struct* vma = vmf->vma;
    mm_struct* mm = vma->vm_mm;
    page* folio = nullptr;
    pte_t entry;

    /* File mapping without ->vm_ops ? */
    if (vma->vm_flags & VM_SHARED) return VM_FAULT_SIGBUS;
    // pte_alloc(), not pte_alloc_map(): OOM is told apart from a transient
    // failure of pte_offset_map().
    if (pte_alloc(mm, vmf->pmd)) return VM_FAULT_OOM;

    /* Use the zero-page for reads */
    if (!(vmf->flags & FAULT_FLAG_WRITE)) {
        entry = pte_mkspecial(pfn_pte(my_zero_pfn(vmf->address), vma_anon_page_prot(vma)));
        vmf->pte = v6_5::pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
        if (!vmf->pte.table) return 0;
        if (vmf_pte_changed(vmf)) goto unlock;
        goto setpte;
    }
    folio = vma_alloc_folio(vma, 0);
    if (!folio) return VM_FAULT_OOM;
    smp_wmb();  // __folio_mark_uptodate(): clearing before set_pte_at()
    entry = pfn_pte(page_to_pfn(folio), vma_anon_page_prot(vma));
    if (vma->vm_flags & VM_WRITE) entry = pte_mkwrite(pte_mkdirty(entry));

    vmf->pte = v6_5::pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
    if (!vmf->pte.table) goto release;
    if (vmf_pte_changed(vmf)) goto release;
    page_add_new_anon_rmap(folio, vma, vmf->address);
setpte:
    set_pte_at(mm, vmf->address, vmf->pte, entry);
unlock:
    if (vmf->pte.table) v6_5::pte_unmap_unlock(vmf->pte, vmf->ptl);
    return 0;
release:
    put_page(folio);
    goto unlock;
}

// do_wp_page() — mm/memory.c v6.6, private anonymous mappings: reuse an
// (exclusive) anonymous page, else copy. Entered with the pte mapped and locked.
vm_fault_t do_wp_page(vm_fault* vmf) {
    vm_area_struct* vma = vmf->vma;
    page* p = vm_normal_page(vma, vmf->address, vmf->orig_pte);
    if (p && compound_head(p)->use == page_use::anon) {
        wp_page_reuse(vmf);
        return 0;
    }
    /* Ok, we need to copy. Oh, well.. */
    if (p) get_page(p);
    pte_unmap_unlock(vmf->pte, vmf->ptl);
    return wp_page_copy(vmf, p);
}

}  // namespace mm
MMCHECK_ENGINE_END
