// Fault handling and page-table allocation (mm/memory.c).
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

vm_fault_t handle_mm_fault(vm_area_struct* vma, unsigned long address, unsigned flags);

pudp_t pud_alloc(mm_struct* mm, pgdp_t pgd, unsigned long address);
pmdp_t pmd_alloc(mm_struct* mm, pudp_t pud, unsigned long address, bool* oom);
bool pte_alloc(mm_struct* mm, pmdp_t pmd);  // true on failure, as the kernel's
ptep_t pte_alloc_map_lock(mm_struct* mm, pmdp_t pmd, unsigned long address, kernel::spinlock_t** ptlp, bool* oom);

bool pud_trans_unstable(pudp_t pud);
bool pmd_trans_unstable(pmdp_t pmd);
bool pmd_devmap_trans_unstable(pmdp_t pmd);

vm_fault_t vmf_insert_pfn(vm_area_struct* vma, unsigned long addr, unsigned long pfn);

// Anonymous faults (memory_anon.cpp). do_wp_page() is entered with vmf->pte
// mapped and vmf->ptl held, as in the kernel.
vm_fault_t do_anonymous_page(vm_fault* vmf);
vm_fault_t do_wp_page(vm_fault* vmf);

}  // namespace mm
MMCHECK_ENGINE_END
