// Transparent huge pages and huge PFN maps (mm/huge_memory.c).
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

bool __transparent_hugepage_enabled(const vm_area_struct* vma);
vm_fault_t vmf_insert_pfn_pud(vm_fault* vmf, unsigned long pfn, bool write);
vm_fault_t vmf_insert_pfn_pmd(vm_fault* vmf, unsigned long pfn, bool write);
void huge_pud_set_accessed(vm_fault* vmf, pud_t orig_pud);
void huge_pmd_set_accessed(vm_fault* vmf);

}  // namespace mm
MMCHECK_ENGINE_END
