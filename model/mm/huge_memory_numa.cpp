// NUMA hinting faults on a huge pmd: do_huge_pmd_numa_page() of
// mm/huge_memory.c v6.6. change_huge_pmd() (huge_memory_split.cpp) made the
// pmd PROT_NONE with the huge bit kept; the next access faults here and the
// pmd is made accessible again. One node, as memory_numa.cpp says: the THP is
// never migrated, and task_numa_fault()'s statistics are left out. Whether the
// fault re-checks the pmd under its lock is a variant (variants.h
// numa_hinting_fault).
#include "model/mm/huge_memory.h"
#include "model/mm/mmap.h"
#include "model/mm/mprotect.h"
#include "model/mm/numa.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// vm_normal_page_pmd() — mm/memory.c v6.6 for the anonymous VMAs NUMA hinting
// reaches (no VM_PFNMAP/VM_MIXEDMAP): no page for a devmap pmd or the huge
// zero page.
page* vm_normal_page_pmd(vm_area_struct* vma, unsigned long, pmd_t pmd) {
    if (pmd_devmap(pmd) || is_huge_zero_pmd(vma->vm_mm, pmd)) return nullptr;
    return pfn_to_page(vma->vm_mm->memory, pmd_pfn(pmd));
}

}  // namespace

// do_huge_pmd_numa_page() — mm/huge_memory.c v6.6, from __handle_mm_fault()
// with the PROT_NONE pmd read locklessly in vmf->orig_pmd.
vm_fault_t do_huge_pmd_numa_page(vm_fault* vmf) {
    vm_area_struct* vma = vmf->vma;
    const pmd_t oldpmd = vmf->orig_pmd;
    const unsigned long haddr = vmf->address & PMD_MASK;

    vmf->ptl = pmd_lock(vma->vm_mm, vmf->pmd);
    if (vma->vm_mm->variants.numa_fault == numa_hinting_fault::v6_6 && !pmd_same(oldpmd, deref(vmf->pmd))) {
        spin_unlock(vmf->ptl);
        return 0;
    }
    pmd_t pmd = pmd_modify(oldpmd, vma_page_prot(vma));
    // Detect now whether the PMD could be writable; this information is only
    // valid while holding the PT lock.
    bool writable = pmd_write(pmd);
    if (!writable && vma_wants_manual_pte_write_upgrade(vma) && can_change_pmd_writable(vma, vmf->address, pmd))
        writable = true;
    if (page* page = vm_normal_page_pmd(vma, haddr, pmd)) {
        int flags = 0;
        const int target_nid = numa_migrate_prep(page, vma, haddr, 0, &flags);
        // Another node would unlock and migrate_misplaced_page() here, then
        // re-take the lock and re-check the pmd: never with one node.
        if (target_nid == NUMA_NO_NODE) put_page(page);
    }
    // out_map: restore the PMD.
    pmd = pmd_modify(oldpmd, vma_page_prot(vma));
    pmd = pmd_mkyoung(pmd);
    if (writable) pmd = pmd_mkwrite(pmd);
    set_pmd_at(vma->vm_mm, haddr, vmf->pmd, pmd);
    spin_unlock(vmf->ptl);
    return 0;
}

}  // namespace mm
MMCHECK_ENGINE_END
