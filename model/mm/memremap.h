// ZONE_DEVICE memory: struct dev_pagemap and its driver callbacks
// (include/linux/memremap.h, mm/memremap.c v6.6), for MEMORY_DEVICE_PRIVATE
// memory, which the CPU cannot address: a page of it is mapped by a
// device-private swap entry (model/mm/swapops.h), and a CPU fault on that entry
// asks the owning driver to migrate it back (ops->migrate_to_ram()).
//
// Simplifications, stated once here: only MEMORY_DEVICE_PRIVATE is modeled;
// memremap_pages() runs before the threads start and there is no
// memunmap_pages(), so the pgmap's percpu reference (get_dev_pagemap(),
// put_dev_pagemap()) is left out: the pgmap outlives every page. A pgmap
// covers one pfn range of the model's mem_map, never handed out by
// alloc_pages() (reserve_device_range(), page_use::device).
#pragma once

#include "model/mm/mm_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// enum memory_type — include/linux/memremap.h v6.6 (the kinds the model has).
enum class memory_type { MEMORY_DEVICE_PRIVATE = 1 };

// struct dev_pagemap_ops — include/linux/memremap.h v6.6.
struct dev_pagemap_ops {
    // Called once the page's refcount reaches 0: it goes back to the driver.
    void (*page_free)(page* page) = nullptr;
    // The CPU faulted on a device-private entry of this pgmap: migrate the
    // page at vmf->address back to system memory (the model's migrate_vma).
    vm_fault_t (*migrate_to_ram)(vm_fault* vmf) = nullptr;
};

// struct dev_pagemap — include/linux/memremap.h v6.6, one range.
struct dev_pagemap {
    memory_type type = memory_type::MEMORY_DEVICE_PRIVATE;
    const dev_pagemap_ops* ops = nullptr;
    void* owner = nullptr;  // matched against migrate_vma/hmm_range owners
    unsigned long range_start_pfn = 0;
    unsigned long nr_range = 0;  // pages in the range
};

// memremap_pages() — mm/memremap.c v6.6 for MEMORY_DEVICE_PRIVATE: reserves
// nr_range pfns of the model's memory (range_start_pfn set; false when there
// is no room) and initialises every page as memmap_init_zone_device() /
// __init_zone_device_page() do: pgmap set, refcount 0 (free: the driver owns
// it), unmapped.
bool memremap_pages(mem_map& memory, dev_pagemap* pgmap);

// is_zone_device_page(), is_device_private_page() — include/linux/mm.h,
// memremap.h v6.6.
inline bool is_zone_device_page(const page* page) { return page->pgmap != nullptr; }
inline bool is_device_private_page(const page* page) {
    return is_zone_device_page(page) && page->pgmap->type == memory_type::MEMORY_DEVICE_PRIVATE;
}

// zone_device_page_init() — mm/memremap.c v6.6: a driver allocates a free
// device page: refcount 1 and the page locked (migrate_vma destinations are).
void zone_device_page_init(page* page);

// free_zone_device_page() — mm/memremap.c v6.6: the last reference of a
// zone-device page went (put_page(), rmap.cpp): back to the driver.
void free_zone_device_page(page* page);

}  // namespace mm
MMCHECK_ENGINE_END
