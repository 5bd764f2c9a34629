// Migrating a range of an anonymous VMA to or from device memory: struct
// migrate_vma and migrate_vma_setup()/_pages()/_finalize() (include/linux/migrate.h,
// mm/migrate_device.c v6.6; the 2017 HMM migrate posting, mm/migrate.c v4.14, as
// variants of the collect walk, model/mm/variants.h migrate_vma_collect).
//
// A driver, holding mmap_lock for read, calls migrate_vma_setup(), which collects
// the range (holes and the zero page become MIGRATE entries without a page;
// mapped small pages are referenced, locked and replaced by migration entries),
// then checks the pages are not pinned. It allocates and locks a destination
// page for each entry it migrates, copies, and calls migrate_vma_pages() (holes
// get migrate_vma_insert_page()) and migrate_vma_finalize(), which maps the
// destination or restores the source and releases every page lock and reference.
//
// Simplifications, stated once here: the src/dst arrays carry their length, and
// an index past it is an assertion (the kernel's arrays are the driver's
// allocation; writing past them corrupts its memory). There is no LRU: folio
// isolation always succeeds and moves collect's reference, so nothing changes
// (isolate_lru_page()/putback_lru_page() are left out). There is no fork, so a
// page collect unmapped is mapped nowhere else, and try_to_migrate() is never
// needed (a page still mapped is restored, as the kernel does when
// try_to_migrate() fails). Source pages are anonymous system pages or, with
// MIGRATE_VMA_SELECT_DEVICE_PRIVATE, device-private pages of the caller's
// pgmap_owner (model/mm/memremap.h); destinations are system pages or
// device-private pages (mapped by device-private entries). Device-coherent
// pages and migrate_device_range() are left out. A THP is split with split_huge_page() (huge_memory_folio_split.cpp)
// and its pages collected one by one; when the split fails (-EAGAIN) the range
// is skipped, as in the kernel.
#pragma once

#include <vector>

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// include/linux/migrate.h v6.6.
inline constexpr unsigned long MIGRATE_PFN_VALID = 1ul << 0;
inline constexpr unsigned long MIGRATE_PFN_MIGRATE = 1ul << 1;
inline constexpr unsigned long MIGRATE_PFN_WRITE = 1ul << 3;
inline constexpr unsigned MIGRATE_PFN_SHIFT = 6;
inline constexpr unsigned long MIGRATE_VMA_SELECT_SYSTEM = 1ul << 0;
inline constexpr unsigned long MIGRATE_VMA_SELECT_DEVICE_PRIVATE = 1ul << 1;

inline unsigned long migrate_pfn(unsigned long pfn) { return (pfn << MIGRATE_PFN_SHIFT) | MIGRATE_PFN_VALID; }
page* migrate_pfn_to_page(mem_map& memory, unsigned long mpfn);

// A driver's src or dst array: the kernel's unsigned long *, with its length.
class migrate_pfn_array {
public:
    explicit migrate_pfn_array(unsigned long nr) : slots_(nr, 0) {}
    unsigned long& operator[](unsigned long i);
    unsigned long size() const { return slots_.size(); }

private:
    std::vector<unsigned long> slots_;
};

struct migrate_vma {
    vm_area_struct* vma = nullptr;
    migrate_pfn_array* dst = nullptr;
    migrate_pfn_array* src = nullptr;
    unsigned long cpages = 0;
    unsigned long npages = 0;
    unsigned long start = 0;
    unsigned long end = 0;
    void* pgmap_owner = nullptr;
    unsigned long flags = MIGRATE_VMA_SELECT_SYSTEM;
    // The device-private page whose CPU fault this migration serves
    // (16ce101db85d, v6.1): do_swap_page() holds a reference on it, which
    // migrate_vma_check_page() and the move expect.
    page* fault_page = nullptr;
};

// migrate_vma_setup() — mm/migrate_device.c v6.6: -EINVAL (as a negative
// number) on bad arguments (a fault_page that is not device-private among
// them), else 0 with src[] filled.
int migrate_vma_setup(migrate_vma* args);
// migrate_vma_pages() — mm/migrate_device.c v6.6 (__migrate_device_pages()).
void migrate_vma_pages(migrate_vma* migrate);
// migrate_vma_finalize() — mm/migrate_device.c v6.6 (__migrate_device_finalize()).
void migrate_vma_finalize(migrate_vma* migrate);

namespace detail {
// The collect walk (migrate_device_collect.cpp): migrate_vma_collect().
void migrate_vma_collect(migrate_vma* migrate);
}  // namespace detail

}  // namespace mm
MMCHECK_ENGINE_END
