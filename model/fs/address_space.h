// struct address_space and its i_mmap tree of VMAs (include/linux/fs.h,
// mm/interval_tree.c, v5.4): the VMAs of every mm that maps one file, and
// i_mmap_rwsem, which rmap walkers and walk_page_mapping() hold instead of any
// mmap_lock.
//
// Simplification, stated once here: the interval tree is a small array of
// slots scanned in order, each slot a plain shared word, so that touching it
// without i_mmap_rwsem is a data race the engines report. A VMA's pgoff range
// is fixed once it is inserted (no vma_adjust in the model).
#pragma once

#include <array>

#include "model/mm/mm_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using pgoff_t = unsigned long;

inline constexpr unsigned I_MMAP_SLOTS = 4;
inline constexpr unsigned I_PAGES_SLOTS = 8;

struct address_space {
    address_space();
    kernel::rw_semaphore i_mmap_rwsem{{"mapping->i_mmap_rwsem"}};
    std::array<kernel::plain<vm_area_struct*>, I_MMAP_SLOTS> i_mmap;
    // The page cache (mapping->i_pages), the page at each pgoff. Simplification:
    // filled before the threads start and never changed during a run (no
    // xarray, no truncation), so lookups need neither RCU nor the xa_lock.
    std::array<struct page*, I_PAGES_SLOTS> i_pages{};
};

inline unsigned long vma_pages(const vm_area_struct* vma) { return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT; }

void i_mmap_lock_read(address_space* mapping);
void i_mmap_unlock_read(address_space* mapping);
void i_mmap_lock_write(address_space* mapping);
void i_mmap_unlock_write(address_space* mapping);

// vma_interval_tree_insert()/_remove(): callers hold i_mmap_rwsem for write (or
// build the initial state before the threads start).
void vma_interval_tree_insert(vm_area_struct* vma, address_space* mapping);
void vma_interval_tree_remove(vm_area_struct* vma, address_space* mapping);

// vma_interval_tree_foreach(vma, &mapping->i_mmap, first, last) as an
// iterator step: the first VMA in slot order from `*slot` on whose pgoff range
// meets [first, last]; nullptr at the end. Caller holds i_mmap_rwsem.
vm_area_struct* vma_interval_tree_next(address_space* mapping, unsigned* slot, pgoff_t first, pgoff_t last);

}  // namespace mm
MMCHECK_ENGINE_END
