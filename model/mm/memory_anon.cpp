// Anonymous page faults: mm/memory.c v6.6 do_anonymous_page(), on the 6.5+
// pte_offset_map_lock(). Copy-on-write is in memory_cow.cpp.
//
// Left out: memcg charging, userfaultfd, mTHP.
#include "model/mm/memory.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// vmf_pte_changed() — mm/memory.c v6.6 (no FAULT_FLAG_ORIG_PTE_VALID here).
bool vmf_pte_changed(vm_fault* vmf) { return !pte_none(ptep_get(vmf->pte)); }

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

}  // namespace mm
MMCHECK_ENGINE_END
