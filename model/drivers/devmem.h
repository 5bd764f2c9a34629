// A device-memory driver that maps its pfns into user space at pud, pmd or pte
// size, modeled on the huge-fault handlers of DAX (fs/dax.c) and TTM
// (drivers/gpu/drm/ttm/ttm_bo_vm.c, ttm_bo_vm_huge_fault, v5.9). Like them it falls
// back to a smaller size when it cannot provide an aligned contiguous block; the
// model leaves that to the engine (a nondeterministic choice) when may_fall_back.
#pragma once

#include "model/mm/mm_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

struct devmem_device {
    unsigned long base_pfn = 0;  // first pfn of the device's memory, PUD-aligned
    bool pud_huge = true;        // offers pud-size mappings
    bool pmd_huge = false;       // offers pmd-size mappings
    bool may_fall_back = true;   // a huge fault may fall back
};

extern const vm_operations_struct devmem_vm_ops;

}  // namespace mm
MMCHECK_ENGINE_END
