// Changing the protection of a range: mm/mprotect.c's change_protection() walk
// and its NUMA-hinting caller change_prot_numa() (mm/mempolicy.c), v6.6.
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// change_protection() — mm/mprotect.c v6.6, without the mmu_gather.
long change_protection(vm_area_struct* vma, unsigned long start, unsigned long end, unsigned long cp_flags);
// change_prot_numa() — mm/mempolicy.c v6.6: make [addr, end) PROT_NONE so that
// the next access takes a NUMA hinting fault. task_numa_work() calls it under
// mmap_lock for read; so must the caller.
long change_prot_numa(vm_area_struct* vma, unsigned long addr, unsigned long end);

}  // namespace mm
MMCHECK_ENGINE_END
