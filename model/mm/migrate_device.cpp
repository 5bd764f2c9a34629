// See migrate_device.h: migrate_vma_setup(), migrate_vma_unmap(),
// migrate_vma_pages() and migrate_vma_finalize(), mm/migrate_device.c v6.6. The
// v4.14 entry point was one migrate_vma(ops, ...) calling the driver's
// alloc_and_copy() and finalize_and_map() between these steps; the model keeps
// v6.6's split API for both forms, which differ only in the collect walk.
// Also left out: VM_SPECIAL/DAX/hugetlb beyond VM_PFNMAP|VM_MIXEDMAP, swap
// cache (folio_free_swap()), folio_migrate_flags() beyond the anon index.
#include "model/mm/migrate_device.h"

#include <string>

#include "model/mm/memremap.h"
#include "model/mm/migrate.h"
#include "model/mm/migrate_vma_insert.h"
#include "model/mm/mmu_notifier.h"
#include "model/mm/pagemap.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

page* migrate_pfn_to_page(mem_map& memory, unsigned long mpfn) {
    if (!(mpfn & MIGRATE_PFN_VALID)) return nullptr;
    return pfn_to_page(memory, mpfn >> MIGRATE_PFN_SHIFT);
}

unsigned long& migrate_pfn_array::operator[](unsigned long i) {
    if (i >= slots_.size())
        report_violation(violation_kind::assertion, "migrate_vma src/dst index " + std::to_string(i) +
                                                        " past the driver's " + std::to_string(slots_.size()) +
                                                        "-entry array (out-of-bounds write)");
    return slots_[i];
}

namespace {

constexpr int einval = 22;  // EINVAL

unsigned long address_of(const migrate_vma* migrate, unsigned long i) { return migrate->start + i * PAGE_SIZE; }

// migrate_vma_check_page() — mm/migrate_device.c v6.6 for an anonymous page:
// pinned pages cannot be migrated.
bool migrate_vma_check_page(page* page, struct page* fault_page) {
    // One extra ref because caller holds an extra reference (collect's), and
    // one more for the page do_swap_page() holds while it faults.
    long extra = 1 + (page == fault_page);
    if (compound_order(page) > 0) return false;  // FIXME support THP
    // Page from ZONE_DEVICE have one extra reference. (Kept since the base
    // reference of pre-5.17 ZONE_DEVICE pages, as in v6.6: a device page with
    // one unexpected reference passes here and fails in the move instead.)
    if (is_zone_device_page(page)) extra++;
    return page_count(page) - extra <= page_mapcount(page);
}

// migrate_device_unmap() — mm/migrate_device.c v6.6, LRU isolation and
// try_to_migrate() reduced as migrate_device.h says; restore takes the address.
unsigned long migrate_device_unmap(migrate_vma* migrate) {
    mem_map& memory = migrate->vma->vm_mm->memory;
    migrate_pfn_array& src = *migrate->src;
    unsigned long restore = 0, unmapped = 0;
    for (unsigned long i = 0; i < migrate->npages; i++) {
        page* page = migrate_pfn_to_page(memory, src[i]);
        if (!page) {
            if (src[i] & MIGRATE_PFN_MIGRATE) unmapped++;
            continue;
        }
        if (page_mapcount(page) > 0 || !migrate_vma_check_page(page, migrate->fault_page)) {
            src[i] &= ~MIGRATE_PFN_MIGRATE;
            restore++;
            continue;
        }
        unmapped++;
    }
    for (unsigned long i = 0; i < migrate->npages && restore; i++) {
        page* page = migrate_pfn_to_page(memory, src[i]);
        if (!page || (src[i] & MIGRATE_PFN_MIGRATE)) continue;
        remove_migration_ptes(page, page, migrate->vma, address_of(migrate, i));
        src[i] = 0;
        unlock_page(page);
        put_page(page);
        restore--;
    }
    return unmapped;
}

// folio_migrate_mapping() — mm/migrate.c v6.6 for an anonymous folio outside
// the swap cache: only the reference count is checked; extra_count is
// migrate_folio_extra()'s (the fault_page's reference, 16ce101db85d).
bool folio_migrate_mapping(page* newfolio, page* folio, int extra_count) {
    const long expected_count = 1 + extra_count;  // collect's reference, moved by isolation
    if (page_count(folio) != expected_count) return false;
    newfolio->index = folio->index;
    return true;
}

}  // namespace

// migrate_vma_setup() — mm/migrate_device.c v6.6.
int migrate_vma_setup(migrate_vma* args) {
    const long nr_pages = long(args->end - args->start) >> PAGE_SHIFT;
    args->start &= PAGE_MASK;
    args->end &= PAGE_MASK;
    if (!args->vma || (args->vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))) return -einval;
    if (nr_pages <= 0) return -einval;
    if (args->start < args->vma->vm_start || args->start >= args->vma->vm_end) return -einval;
    if (args->end <= args->vma->vm_start || args->end > args->vma->vm_end) return -einval;
    if (!args->src || !args->dst) return -einval;
    if (args->fault_page && !is_device_private_page(args->fault_page)) return -einval;

    for (long i = 0; i < nr_pages; ++i) (*args->src)[i] = 0;  // memset()
    args->cpages = 0;
    args->npages = 0;
    detail::migrate_vma_collect(args);
    if (args->cpages) args->cpages = migrate_device_unmap(args);  // migrate_vma_unmap()
    // At this point pages are locked and unmapped, and thus they have stable
    // content and can safely be copied to destination memory.
    return 0;
}

// __migrate_device_pages() — mm/migrate_device.c v6.6: system and
// device-private destinations (the model's sources are anonymous, so the
// "only anonymous memory to device memory" check always passes).
void migrate_vma_pages(migrate_vma* migrate) {
    mem_map& memory = migrate->vma->vm_mm->memory;
    migrate_pfn_array& src = *migrate->src;
    mmu_notifier_range range;
    bool notified = false;
    for (unsigned long i = 0; i < migrate->npages; i++) {
        page* newpage = migrate_pfn_to_page(memory, (*migrate->dst)[i]);
        page* page = migrate_pfn_to_page(memory, src[i]);
        if (!newpage) {
            src[i] &= ~MIGRATE_PFN_MIGRATE;
            continue;
        }
        if (!page) {
            if (!(src[i] & MIGRATE_PFN_MIGRATE)) continue;
            const unsigned long addr = address_of(migrate, i);
            if (!notified) {
                notified = true;
                mmu_notifier_range_init(&range, MMU_NOTIFY_MIGRATE, 0, migrate->vma, migrate->vma->vm_mm, addr,
                                        migrate->end);
                range.owner = migrate->pgmap_owner;
                mmu_notifier_invalidate_range_start(&range);
            }
            if (migrate_vma_insert_page(migrate->vma, addr, newpage)) src[i] = MIGRATE_PFN_MIGRATE;
            else src[i] &= ~MIGRATE_PFN_MIGRATE;
            continue;
        }
        // migrate_folio_extra(..., 1) for the fault_page, else migrate_folio().
        const int extra = migrate->fault_page == page ? 1 : 0;
        if (!folio_migrate_mapping(newpage, page, extra)) src[i] &= ~MIGRATE_PFN_MIGRATE;
    }
    if (notified) mmu_notifier_invalidate_range_end(&range);
}

// __migrate_device_finalize() — mm/migrate_device.c v6.6; folio_putback_lru()
// and putback_lru_page() are put_page() (no LRU), as for zone-device pages.
void migrate_vma_finalize(migrate_vma* migrate) {
    mem_map& memory = migrate->vma->vm_mm->memory;
    for (unsigned long i = 0; i < migrate->npages; i++) {
        page* newpage = migrate_pfn_to_page(memory, (*migrate->dst)[i]);
        page* page = migrate_pfn_to_page(memory, (*migrate->src)[i]);
        if (!page) {
            if (newpage) {
                unlock_page(newpage);
                put_page(newpage);
            }
            continue;
        }
        if (!((*migrate->src)[i] & MIGRATE_PFN_MIGRATE) || !newpage) {
            if (newpage) {
                unlock_page(newpage);
                put_page(newpage);
            }
            newpage = page;
        }
        remove_migration_ptes(page, newpage, migrate->vma, address_of(migrate, i));
        unlock_page(page);
        put_page(page);
        if (newpage != page) {
            unlock_page(newpage);
            put_page(newpage);
        }
    }
}

}  // namespace mm
MMCHECK_ENGINE_END
