// The VMA-list half of mm/mmap.c, v6.6: splitting a VMA and merging a range
// with its neighbours (the munmap() and exit paths are declared in memory.h).
#pragma once

#include "model/mm/mm_types.h"
#include "model/mm/pgtable_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// include/linux/mm.h v6.6 flags the model's mm_types.h does not carry.
inline constexpr unsigned long VM_EXEC = 0x04;
inline constexpr unsigned long VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
// VM_SPECIAL without VM_IO and VM_DONTEXPAND, which no modeled VMA has.
inline constexpr unsigned long VM_SPECIAL = VM_PFNMAP | VM_MIXEDMAP;
// vma_is_accessible() — include/linux/mm.h v6.6.
inline bool vma_is_accessible(const vm_area_struct* vma) { return vma->vm_flags & VM_ACCESS_FLAGS; }

// __split_vma() — mm/mmap.c v6.6 (mmap.cpp). Caller holds mmap_lock for write.
int __split_vma(vm_area_struct* vma, unsigned long addr, bool new_below);
// split_vma() — mm/mmap.c v6.6: __split_vma() after the map_count check, which
// the model leaves out (no sysctl_max_map_count).
inline int split_vma(vm_area_struct* vma, unsigned long addr, bool new_below) {
    return __split_vma(vma, addr, new_below);
}

// vma_merge() — mm/mmap.c v6.6 (mmap_merge.cpp): merge [addr, end), about to
// get vm_flags, with prev and/or the VMA after it; the merged VMA, or nullptr
// when nothing could be merged. The arguments the model has no field for
// (mempolicy, userfaultfd context, anon_vma name) are left out. Caller holds
// mmap_lock for write.
vm_area_struct* vma_merge(mm_struct* mm, vm_area_struct* prev, unsigned long addr, unsigned long end,
                          unsigned long vm_flags, unsigned anon_vma, struct address_space* file, unsigned long pgoff);

}  // namespace mm
MMCHECK_ENGINE_END
