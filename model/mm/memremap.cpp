// See memremap.h: mm/memremap.c v6.6, MEMORY_DEVICE_PRIVATE only.
#include "model/mm/memremap.h"

#include "model/mm/pagemap.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

// memremap_pages() — mm/memremap.c v6.6 (pagemap_range(), memmap_init_zone_device()).
bool memremap_pages(mem_map& memory, dev_pagemap* pgmap) {
    if (pgmap->type != memory_type::MEMORY_DEVICE_PRIVATE || !pgmap->ops || !pgmap->ops->page_free ||
        !pgmap->ops->migrate_to_ram || !pgmap->owner)
        return false;  // -EINVAL: device-private memory needs both callbacks and an owner
    const unsigned long pfn = reserve_device_range(memory, pgmap->nr_range, 1);
    if (!pfn) return false;
    pgmap->range_start_pfn = pfn;
    for (unsigned long i = 0; i < pgmap->nr_range; ++i) {
        page* p = pfn_to_page(memory, pfn + i);
        p->pgmap = pgmap;
        // __init_zone_device_page(): "ZONE_DEVICE pages are released directly
        // to the driver page allocator which will set the page count to 1
        // when allocating the page."
        atomic_set(p->_refcount, 0);
        atomic_set(p->_mapcount, -1);
        atomic_set(p->_entire_mapcount, -1);
    }
    return true;
}

// zone_device_page_init() — mm/memremap.c v6.6 (get_dev_pagemap() left out).
void zone_device_page_init(page* page) {
    VM_BUG_ON(page_count(page) != 0, "WARN_ON_ONCE(!percpu_ref_tryget_live(...)): device page allocated twice");
    atomic_set(page->_refcount, 1);  // set_page_count(page, 1)
    ClearPageAnonExclusive(page);
    lock_page(page);
}

// free_zone_device_page() — mm/memremap.c v6.6, without memcg and the pgmap
// reference (memremap.h): PageAnonExclusive and ->mapping cleared, then the
// driver's page_free().
void free_zone_device_page(page* page) {
    VM_BUG_ON(!page->pgmap->ops || !page->pgmap->ops->page_free,
              "WARN_ON_ONCE(!page->pgmap->ops || !page->pgmap->ops->page_free)");
    ClearPageAnonExclusive(page);  // __ClearPageAnonExclusive()
    page->pgmap->ops->page_free(page);
}

}  // namespace mm
MMCHECK_ENGINE_END
