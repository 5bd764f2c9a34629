// See memory_cow.h: mm/memory.c v6.6 wp_page_copy() with its notifier bracket
// and set_pte_at_notify(), on the 6.5+ pte_offset_map_lock().
//
// Left out: memcg, swap cache, userfaultfd, unshare (FAULT_FLAG_UNSHARE) and
// the page contents (the copy is the allocation).
#include "model/mm/memory_cow.h"

#include "model/mm/mmu_notifier.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm::cow {

using namespace kernel;

namespace {

pte_t maybe_mkwrite(pte_t pte, const vm_area_struct* vma) {
    return (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte) : pte;
}

// The variant's notifier use (variants.h change_pte_notify); only flag_on_cow
// sets MMU_NOTIFIER_USE_CHANGE_PTE here: the 2019 posting left COW unflagged.
bool brackets(const mm_struct* mm) {
    const change_pte_notify n = mm->variants.notify;
    return n != change_pte_notify::v2_6_32_no_bracket && n != change_pte_notify::no_notifier;
}
unsigned bracket_flags(const mm_struct* mm) {
    return mm->variants.notify == change_pte_notify::flag_on_cow ? MMU_NOTIFIER_USE_CHANGE_PTE : 0;
}

// wp_page_copy()'s part under the pte lock: re-check, then switch to new_page.
// Returns whether the pte was switched.
bool switch_pte(vm_fault* vmf, page* old_page, page* new_page) {
    vm_area_struct* vma = vmf->vma;
    mm_struct* mm = vma->vm_mm;
    vmf->pte = v6_5::pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
    if (!vmf->pte.table) return false;
    if (!pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
        v6_5::pte_unmap_unlock(vmf->pte, vmf->ptl);
        return false;
    }
    pte_t entry = pfn_pte(page_to_pfn(new_page), vma_anon_page_prot(vma));
    entry = maybe_mkwrite(pte_mkdirty(pte_mkyoung(entry)), vma);
    // Clear the pte entry and flush it first, before updating the pte with the
    // new entry, so that no TLB holds the old page while another holds the new.
    ptep_get_and_clear(mm, vmf->address, vmf->pte);  // ptep_clear_flush()
    page_add_new_anon_rmap(new_page, vma, vmf->address);
    // The notify form, so that a secondary MMU such as KVM may map the new
    // page directly.
    if (mm->variants.notify == change_pte_notify::no_notifier)
        set_pte_at(mm, vmf->address, vmf->pte, entry);
    else
        set_pte_at_notify(mm, vmf->address, vmf->pte, entry);
    if (old_page) page_remove_rmap(old_page, vma, false);
    v6_5::pte_unmap_unlock(vmf->pte, vmf->ptl);
    return true;
}

}  // namespace

// wp_page_copy() — mm/memory.c v6.6.
vm_fault_t wp_page_copy(vm_fault* vmf, page* old_page) {
    vm_area_struct* vma = vmf->vma;
    mm_struct* mm = vma->vm_mm;
    page* new_page = vma_alloc_folio(vma, 0);  // zeroed for the zero page, else copied
    if (!new_page) {
        if (old_page) put_page(old_page);
        return VM_FAULT_OOM;
    }
    smp_wmb();  // __folio_mark_uptodate(): the copy before the pte
    mmu_notifier_range range;
    mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, bracket_flags(mm), vma, mm, vmf->address & PAGE_MASK,
                            (vmf->address & PAGE_MASK) + PAGE_SIZE);
    if (brackets(mm)) mmu_notifier_invalidate_range_start(&range);
    /* Re-check the pte - we dropped the lock */
    if (switch_pte(vmf, old_page, new_page)) new_page = old_page; /* Free the old page.. */
    if (brackets(mm)) mmu_notifier_invalidate_range_end(&range);
    if (new_page) put_page(new_page);
    if (old_page) put_page(old_page);  // the reference do_wp_page() took
    return 0;
}

// do_wp_page() — mm/memory.c v6.6, the copy branch; entered with the pte
// mapped and locked.
vm_fault_t do_wp_page(vm_fault* vmf) {
    page* p = vm_normal_page(vmf->vma, vmf->address, vmf->orig_pte);
    /* Ok, we need to copy. Oh, well.. */
    if (p) get_page(p);
    v6_5::pte_unmap_unlock(vmf->pte, vmf->ptl);
    return wp_page_copy(vmf, p);
}

vm_fault_t handle_write_fault(vm_area_struct* vma, unsigned long address) {
    vm_fault vmf;
    vmf.vma = vma;
    vmf.address = address & PAGE_MASK;
    vmf.flags = FAULT_FLAG_WRITE;
    mm_struct* mm = vma->vm_mm;
    vmf.pud = pud_offset(pgd_offset(mm, address), address);
    vmf.pmd = pmd_offset(vmf.pud, address);
    vmf.pte = v6_5::pte_offset_map_lock(mm, vmf.pmd, vmf.address, &vmf.ptl);
    if (!vmf.pte.table) return 0;
    vmf.orig_pte = ptep_get(vmf.pte);
    if (!pte_present(vmf.orig_pte) || pte_write(vmf.orig_pte)) {
        v6_5::pte_unmap_unlock(vmf.pte, vmf.ptl);
        return 0;
    }
    return do_wp_page(&vmf);
}

}  // namespace mm::cow
MMCHECK_ENGINE_END
