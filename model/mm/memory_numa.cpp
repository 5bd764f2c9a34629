// NUMA hinting faults at the pte level: do_numa_page() and numa_migrate_prep()
// of mm/memory.c v6.6. change_prot_numa() (mprotect.cpp) made the pte
// PROT_NONE; the next access faults here and the pte is made accessible again.
//
// Simplification, stated once here: the model has one NUMA node, so
// mpol_misplaced() never names another node, numa_migrate_prep() always
// answers NUMA_NO_NODE and the fault always restores the pte in place;
// migrate_misplaced_page() and task_numa_fault()'s statistics are left out.
// Whether the fault re-checks the pte under the ptl is a variant (variants.h
// numa_hinting_fault).
#include "model/mm/memory.h"
#include "model/mm/memremap.h"
#include "model/mm/mmap.h"
#include "model/mm/mprotect.h"
#include "model/mm/numa.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

// numa_migrate_prep() — mm/memory.c v6.6: a reference for the migration the
// caller may start, and the node the page should be on (mpol_misplaced()):
// with one node, none.
int numa_migrate_prep(page* page, vm_area_struct*, unsigned long, int, int*) {
    get_page(page);
    return NUMA_NO_NODE;
}

// do_numa_page() — mm/memory.c v6.6, entered from handle_pte_fault() with the
// pte mapped (vmf->pte), its lock named (vmf->ptl) and the PROT_NONE value
// read locklessly (vmf->orig_pte). The pte is rewritten with
// ptep_modify_prot_start()/commit() (get and clear, then set), as
// change_pte_range() does.
vm_fault_t do_numa_page(vm_fault* vmf) {
    vm_area_struct* vma = vmf->vma;
    const bool recheck = vma->vm_mm->variants.numa_fault == numa_hinting_fault::v6_6;
    // The "pte" at this point cannot be used safely without validation
    // through pte_unmap_same(): it's of NUMA type, but the pfn may be stale.
    spin_lock(vmf->ptl);
    if (recheck && !pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
        vmf_pte_unmap_unlock(vmf);
        return 0;
    }
    // Get the normal PTE (the variant without the re-check trusts its
    // lockless read, as it does at out_map below).
    pte_t old_pte = recheck ? ptep_get(vmf->pte) : vmf->orig_pte;
    pte_t pte = pte_modify(old_pte, vma_page_prot(vma));
    // Detect now whether the PTE could be writable; this information is only
    // valid while holding the PT lock.
    bool writable = pte_write(pte);
    if (!writable && vma_wants_manual_pte_write_upgrade(vma) && can_change_pte_writable(vma, vmf->address, pte))
        writable = true;
    page* page = vm_normal_page(vma, vmf->address, pte);
    // A pte-mapped THP page (PageCompound()) is restored without a
    // migration attempt, as in v6.6.
    if (page && !is_zone_device_page(page) && !PageCompound(page)) {
        int flags = 0;
        const int target_nid = numa_migrate_prep(page, vma, vmf->address, 0, &flags);
        // Another node would unlock and migrate_misplaced_page() here: never
        // with one node.
        if (target_nid == NUMA_NO_NODE) put_page(page);
    }
    // out_map: make it present again.
    old_pte = ptep_get_and_clear(vma->vm_mm, vmf->address, vmf->pte);  // ptep_modify_prot_start()
    pte = pte_modify(recheck ? old_pte : vmf->orig_pte, vma_page_prot(vma));
    pte = pte_mkyoung(pte);
    if (writable) pte = pte_mkwrite(pte);
    set_pte_at(vma->vm_mm, vmf->address, vmf->pte, pte);  // ptep_modify_prot_commit()
    vmf_pte_unmap_unlock(vmf);
    return 0;
}

}  // namespace mm
MMCHECK_ENGINE_END
