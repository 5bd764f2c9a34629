// Write-protect faults and copy-on-write: mm/memory.c v6.6 (do_wp_page,
// wp_can_reuse_anon_folio, wp_page_reuse, wp_page_copy), the one COW path of
// the model; handle_pte_fault() (memory.cpp) enters do_wp_page() with the pte
// mapped (pre-6.5 form) and locked.
//
// How wp_page_copy() uses the mmu notifiers is a variant (variants.h
// change_pte_notify); `no_notifier` drops them, as this path was modeled
// before it had a secondary MMU to serve.
//
// FAULT_FLAG_UNSHARE (break_ksm()) takes the same path as a write but leaves
// an exclusive page as it is and maps a copy read-only.
//
// Left out: memcg, swap cache, userfaultfd, the LRU (lru_add_drain()). Page
// contents are copied only where a scenario tracks them (mem_map::user_contents,
// page.h); ptep_clear_flush() reaches the TLBs of scenarios that have them
// (model/arch/x86/tlb.h).
#include "model/arch/x86/tlb.h"
#include "model/mm/memory.h"
#include "model/mm/mmu_notifier.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

pte_t maybe_mkwrite(pte_t pte, const vm_area_struct* vma) {
    return (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte) : pte;
}

// The variant's notifier use (variants.h change_pte_notify); only flag_on_cow
// sets MMU_NOTIFIER_USE_CHANGE_PTE here: the 2019 posting left COW unflagged.
bool cow_brackets(const mm_struct* mm) {
    const change_pte_notify n = mm->variants.notify;
    return n != change_pte_notify::v2_6_32_no_bracket && n != change_pte_notify::no_notifier;
}
unsigned cow_bracket_flags(const mm_struct* mm) {
    return mm->variants.notify == change_pte_notify::flag_on_cow ? MMU_NOTIFIER_USE_CHANGE_PTE : 0;
}

// wp_page_reuse() — mm/memory.c v6.6: make the locked pte writable in place.
void wp_page_reuse(vm_fault* vmf) {
    vm_area_struct* vma = vmf->vma;
    pte_t entry = pte_mkyoung(vmf->orig_pte);
    entry = maybe_mkwrite(pte_mkdirty(entry), vma);
    if (!pte_same(ptep_get(vmf->pte), entry))  // ptep_set_access_flags()
        set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
    vmf_pte_unmap_unlock(vmf);
}

// wp_pfn_shared() — mm/memory.c v6.6, without ->pfn_mkwrite (no modeled
// driver has one). The model's shared VMAs are PFN maps, so wp_page_shared()
// and its ->page_mkwrite are left out too.
vm_fault_t wp_pfn_shared(vm_fault* vmf) {
    wp_page_reuse(vmf);
    return 0;
}

// wp_can_reuse_anon_folio() — mm/memory.c v6.6 (factored out of do_wp_page()
// in v6.6): our mapping holds the only reference, checked again under the
// folio lock.
bool wp_can_reuse_anon_folio(page* folio, vm_area_struct*) {
    // KSM doesn't necessarily raise the folio refcount.
    if (PageKsm(folio) || page_count(folio) > 3) return false;
    if (page_count(folio) > 1) return false;  // + folio_test_swapcache(): none
    if (!folio->PG_locked.try_lock("folio_trylock", std::source_location::current())) return false;
    const bool only_ours = !PageKsm(folio) && page_count(folio) == 1;
    // folio_move_anon_rmap(): one anon_vma in the model.
    folio->PG_locked.unlock("folio_unlock", std::source_location::current());
    return only_ours;
}

// wp_page_copy()'s part under the pte lock: re-check, then switch to new_page.
// Returns whether the pte was switched.
bool switch_pte(vm_fault* vmf, page* old_page, page* new_page) {
    vm_area_struct* vma = vmf->vma;
    mm_struct* mm = vma->vm_mm;
    vmf->pte = v6_5::pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
    if (!vmf->pte.table) return false;
    if (!pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
        v6_5::pte_unmap_unlock(vmf->pte, vmf->ptl);  // update_mmu_tlb(): no TLB
        return false;
    }
    pte_t entry = pte_mkyoung(pfn_pte(page_to_pfn(new_page), vma_anon_page_prot(vma)));  // pte_sw_mkyoung()
    // An unshared copy stays read-only (soft-dirty and uffd-wp bits, which it
    // would carry over, are not modeled).
    if (!(vmf->flags & FAULT_FLAG_UNSHARE)) entry = maybe_mkwrite(pte_mkdirty(entry), vma);
    // Clear the pte entry and flush it first, before updating the pte with the
    // new entry, so that no TLB holds the old page while another holds the new.
    ptep_get_and_clear(mm, vmf->address, vmf->pte);  // ptep_clear_flush():
    flush_tlb_page(vma, vmf->address);
    page_add_new_anon_rmap(new_page, vma, vmf->address);
    // The notify form, so that a secondary MMU such as KVM may map the new
    // page directly.
    if (mm->variants.notify == change_pte_notify::no_notifier)
        set_pte_at(mm, vmf->address, vmf->pte, entry);
    else
        set_pte_at_notify(mm, vmf->address, vmf->pte, entry);
    // Only after switching the pte to the new page may the mapcount drop.
    if (old_page) page_remove_rmap(old_page, vma, false);
    v6_5::pte_unmap_unlock(vmf->pte, vmf->ptl);
    return true;
}

// __wp_page_copy_user() — mm/memory.c v6.6, for a mapped old page
// (copy_mc_user_highpage()), or zero-filled for the zero page: the contents
// the new page starts with, read from the old page with the pte lock
// dropped, as the kernel does.
void copy_user_highpage_contents(page* to, page* from) {
    if (!to->memory->user_contents) return;
    for (unsigned i = 0; i < page::nr_content_words; ++i)
        WRITE_ONCE(to->contents[i], from ? READ_ONCE(from->contents[i]) : 0ul);
}

// wp_page_copy() — mm/memory.c v6.6: copy to a new page with the lock dropped,
// then re-check the pte under the lock inside the notifier bracket.
vm_fault_t wp_page_copy(vm_fault* vmf, page* old_page) {
    vm_area_struct* vma = vmf->vma;
    mm_struct* mm = vma->vm_mm;
    page* new_page = vma_alloc_folio(vma, 0);  // zeroed for the zero page, else copied
    if (!new_page) {
        if (old_page) put_page(old_page);
        return VM_FAULT_OOM;
    }
    copy_user_highpage_contents(new_page, old_page);
    smp_wmb();  // __folio_mark_uptodate(): the copy before the pte
    mmu_notifier_range range;
    mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, cow_bracket_flags(mm), vma, mm, vmf->address & PAGE_MASK,
                            (vmf->address & PAGE_MASK) + PAGE_SIZE);
    if (cow_brackets(mm)) mmu_notifier_invalidate_range_start(&range);
    /* Re-check the pte - we dropped the lock */
    if (switch_pte(vmf, old_page, new_page)) new_page = old_page; /* Free the old page.. */
    if (cow_brackets(mm)) mmu_notifier_invalidate_range_end(&range);
    if (new_page) put_page(new_page);
    if (old_page) put_page(old_page);  // the reference do_wp_page() took
    return 0;
}

}  // namespace

// do_wp_page() — mm/memory.c v6.6: shared mappings are made writable, an
// exclusive (or reusable) anonymous page is reused, anything else is copied.
// Left out: uffd-wp, the KSM/LRU early outs of the reuse check.
vm_fault_t do_wp_page(vm_fault* vmf) {
    const bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
    vm_area_struct* vma = vmf->vma;
    page* p = vm_normal_page(vma, vmf->address, vmf->orig_pte);
    page* folio = p ? compound_head(p) : nullptr;
    if (vma->vm_flags & VM_SHARED) return wp_pfn_shared(vmf);  // !vmf->page: PFN maps
    // Private mapping: create an exclusive anonymous page copy if reuse is
    // impossible. A page marked exclusive is reused without further checks.
    if (folio && folio->use == page_use::anon && (PageAnonExclusive(p) || wp_can_reuse_anon_folio(folio, vma))) {
        if (!PageAnonExclusive(p)) SetPageAnonExclusive(p);
        if (unshare) {  // nothing to unshare: the page is ours
            vmf_pte_unmap_unlock(vmf);
            return 0;
        }
        wp_page_reuse(vmf);
        return 0;
    }
    /* Ok, we need to copy. Oh, well.. */
    if (folio) get_page(folio);
    vmf_pte_unmap_unlock(vmf);
    return wp_page_copy(vmf, p);
}

}  // namespace mm
MMCHECK_ENGINE_END
