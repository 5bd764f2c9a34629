// mremap()'s page-table move: move_page_tables() and move_vma() (mm/mremap.c, v6.6).
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// move_page_tables() — mm/mremap.c v6.6: moves the entries of
// [old_addr, old_addr + len) of vma to new_addr in new_vma; returns how many
// bytes it moved. Caller holds mmap_lock for write.
unsigned long move_page_tables(vm_area_struct* vma, unsigned long old_addr, vm_area_struct* new_vma,
                               unsigned long new_addr, unsigned long len, bool need_rmap_locks);

// move_vma() — mm/mremap.c v6.6, the whole-VMA move of mremap(MREMAP_MAYMOVE |
// MREMAP_FIXED): new_vma is copy_vma()'s result, allocated by the caller with
// the new range and vma's flags, pgoff and mapping; it is linked into the mm
// (and the file's i_mmap), the tables are moved, and the old VMA is unmapped.
// Caller holds mmap_lock for write. Returns new_addr, or -1ul on failure.
unsigned long move_vma(vm_area_struct* vma, vm_area_struct* new_vma, unsigned long new_addr);

}  // namespace mm
MMCHECK_ENGINE_END
