// migrate_vma_insert_page(): migrate_vma_pages() populating a hole of an
// anonymous VMA with the destination page (mm/migrate.c v4.14,
// mm/migrate_device.c v6.6).
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// The kernel takes the migrate_vma and sets *src to MIGRATE_PFN_MIGRATE on
// success; the model takes migrate->vma and returns whether it inserted. On
// success the page gained a mapping and a reference; the caller keeps its own.
bool migrate_vma_insert_page(vm_area_struct* vma, unsigned long addr, page* page);

}  // namespace mm
MMCHECK_ENGINE_END
