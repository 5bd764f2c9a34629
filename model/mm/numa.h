// NUMA hinting faults (memory_numa.cpp; do_huge_pmd_numa_page() is in
// huge_memory.h). The model has one node: see memory_numa.cpp.
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

inline constexpr int NUMA_NO_NODE = -1;  // include/linux/numa.h

// numa_migrate_prep() — mm/memory.c v6.6 (mm/internal.h): takes a reference on
// page and returns the node it should move to, NUMA_NO_NODE here.
int numa_migrate_prep(page* page, vm_area_struct* vma, unsigned long addr, int page_nid, int* flags);

// do_numa_page() — mm/memory.c v6.6: a fault on a pte NUMA hinting made
// PROT_NONE; handle_pte_fault() calls it with vmf->pte mapped and vmf->ptl named.
vm_fault_t do_numa_page(vm_fault* vmf);

}  // namespace mm
MMCHECK_ENGINE_END
