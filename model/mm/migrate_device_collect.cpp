// migrate_vma_collect() and its page-walk callbacks: mm/migrate_device.c v6.6,
// with the 2017 HMM migrate posting (mm/migrate.c, v4.14-rc1 and v4.14) as the
// migrate_vma_collect variants (model/mm/variants.h). See migrate_device.h for
// what the model leaves out; also left out here: the TLB flushes (no TLB, so
// ptep_clear_flush() is ptep_get_and_clear()); v4.14's MIGRATE_PFN_LOCKED and
// migrate_vma_prepare(), which took the page lock later for pages collect could
// not trylock (both forms drop such pages here, as v6.6 does).
#include "model/mm/huge_memory.h"
#include "model/mm/memory.h"
#include "model/mm/memremap.h"
#include "model/mm/migrate_device.h"
#include "model/mm/mmu_notifier.h"
#include "model/mm/pagemap.h"
#include "model/mm/pagewalk.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

migrate_vma* migrate_of(mm_walk* walk) { return static_cast<migrate_vma*>(walk->private_data); }
migrate_vma_collect collect_form(mm_walk* walk) { return walk->mm->variants.migrate_collect; }

// migrate_vma_collect_skip() — mm/migrate_device.c v6.6.
int migrate_vma_collect_skip(unsigned long start, unsigned long end, mm_walk* walk) {
    migrate_vma* migrate = migrate_of(walk);
    for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
        (*migrate->dst)[migrate->npages] = 0;
        (*migrate->src)[migrate->npages++] = 0;
    }
    return 0;
}

// migrate_vma_collect_hole() — mm/migrate_device.c v6.6; with
// v4_14_early_npages, 8315ada7f095's loop (npages incremented before dst[]).
int migrate_vma_collect_hole(unsigned long start, unsigned long end, int, mm_walk* walk) {
    migrate_vma* migrate = migrate_of(walk);
    /* Only allow populating anonymous memory. */
    if (!vma_is_anonymous(walk->vma)) return migrate_vma_collect_skip(start, end, walk);
    for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
        if (collect_form(walk) == migrate_vma_collect::v4_14_early_npages) {
            (*migrate->src)[migrate->npages++] = MIGRATE_PFN_MIGRATE;
            (*migrate->dst)[migrate->npages] = 0;
        } else {
            (*migrate->src)[migrate->npages] = MIGRATE_PFN_MIGRATE;
            (*migrate->dst)[migrate->npages] = 0;
            migrate->npages++;
        }
        migrate->cpages++;
    }
    return 0;
}

enum class thp_step { collect_ptes, skipped, hole };

// migrate_vma_collect_pmd()'s pmd_trans_huge() branch, v6.6 and v4.14: split the
// huge zero page's pmd, or reference, trylock and split the THP. `again` is set
// when the pmd stopped being huge before the lock.
thp_step collect_thp(pmdp_t pmdp, unsigned long start, mm_walk* walk, bool* again) {
    vm_area_struct* vma = walk->vma;
    mm_struct* mm = vma->vm_mm;
    const bool v4_14 = collect_form(walk) != migrate_vma_collect::v6_6;
    spinlock_t* ptl = pmd_lock(mm, pmdp);
    if (!pmd_trans_huge(deref(pmdp))) {
        spin_unlock(ptl);
        *again = true;
        return thp_step::collect_ptes;
    }
    const pmd_t pmd = deref(pmdp);
    if (is_huge_zero_page(mm, pfn_to_page(mm->memory, pmd_pfn(pmd)))) {  // pmd_page()
        spin_unlock(ptl);
        split_huge_pmd(vma, pmdp, start);
        if (v4_14 && pmd_trans_unstable(pmdp)) return thp_step::skipped;
        return thp_step::collect_ptes;
    }
    page* folio = pfn_to_page(mm->memory, pmd_pfn(pmd));
    get_page(folio);
    spin_unlock(ptl);
    // Both forms return here without put_page(): the reference leaks when the
    // trylock fails (still so upstream). No modeled path holds a THP's page
    // lock but split_huge_page() itself, under this trylock, so no scenario
    // reaches it; the accounting check would report it.
    if (!trylock_page(folio)) return thp_step::skipped;
    // The model's rmap walk is (vma, address) (migrate.h): the THP's pmd maps
    // it from the pmd-aligned address.
    const int ret = split_huge_page(folio, vma, start & PMD_MASK);
    unlock_page(folio);
    put_page(folio);
    if (ret) return thp_step::skipped;
    if (v4_14 && pmd_none(deref(pmdp))) return thp_step::hole;
    return thp_step::collect_ptes;
}

// The body of migrate_vma_collect_pmd()'s pte loop for one pte, under the ptl:
// the src entry for addr. Sets *unmapped when a present pte was replaced.
unsigned long collect_pte(migrate_vma* migrate, unsigned long addr, ptep_t ptep, bool v4_14, bool* unmapped) {
    vm_area_struct* vma = migrate->vma;
    mm_struct* mm = vma->vm_mm;
    pte_t pte = ptep_get(ptep);
    if (pte_none(pte)) {
        if (!v4_14 && !vma_is_anonymous(vma)) return 0;
        migrate->cpages++;
        return MIGRATE_PFN_MIGRATE;
    }
    page* page = nullptr;
    unsigned long mpfn = 0;
    if (!pte_present(pte)) {
        // Only care about unaddressable device page special page table entry.
        // Other special swap entries are not migratable (v4.14 and v6.6).
        const swp_entry_t entry = pte_to_swp_entry(pte);
        if (!is_device_private_entry(entry)) return 0;
        page = pfn_swap_entry_to_page(mm->memory, entry);
        if (v4_14) return 0;  // the model's v4.14 form has no device memory
        if (!(migrate->flags & MIGRATE_VMA_SELECT_DEVICE_PRIVATE) || page->pgmap->owner != migrate->pgmap_owner)
            return 0;
        mpfn = migrate_pfn(page_to_pfn(page)) | MIGRATE_PFN_MIGRATE;
        if (is_writable_device_private_entry(entry)) mpfn |= MIGRATE_PFN_WRITE;
    } else {
        const unsigned long pfn = pte_pfn(pte);
        if (is_zero_pfn(pfn) && (v4_14 || (migrate->flags & MIGRATE_VMA_SELECT_SYSTEM))) {
            migrate->cpages++;
            return MIGRATE_PFN_MIGRATE;
        }
        page = vm_normal_page(migrate->vma, addr, pte);
        if (!v4_14 && page && !is_zone_device_page(page) && !(migrate->flags & MIGRATE_VMA_SELECT_SYSTEM))
            return 0;
        mpfn = migrate_pfn(pfn) | MIGRATE_PFN_MIGRATE;
        if (pte_write(pte)) mpfn |= MIGRATE_PFN_WRITE;
    }
    /* FIXME support THP */  // (!page->mapping: the model's anon use, or a device-private page, stands for it)
    if (!page || (page->use != page_use::anon && !is_device_private_page(page)) || compound_order(page) > 0)
        return 0;
    // By getting a reference on the page we pin it and that blocks any kind
    // of migration. Side effect is that it "freezes" the pte.
    get_page(page);
    if (!trylock_page(page)) {
        put_page(page);
        return 0;
    }
    // PageAnonExclusive (v5.19+, so the v6.6 form only): share the page before
    // the entry stops saying so; a pinned page cannot be shared and stays.
    const bool anon_exclusive = !v4_14 && PageAnonExclusive(page);
    pte = ptep_get_and_clear(mm, addr, ptep);  // ptep_clear_flush() when exclusive
    if (anon_exclusive && page_try_share_anon_rmap(page)) {
        set_pte_at(mm, addr, ptep, pte);
        unlock_page(page);
        put_page(page);
        return 0;
    }
    migrate->cpages++;
    /* Setup special migration page table entry */
    const unsigned long pfn = page_to_pfn(page);
    swp_entry_t entry = make_readable_migration_entry(pfn);
    if (mpfn & MIGRATE_PFN_WRITE) entry = make_writable_migration_entry(pfn);
    else if (anon_exclusive) entry = make_readable_exclusive_migration_entry(pfn);
    set_pte_at(mm, addr, ptep, swp_entry_to_pte(entry));
    // This is like regular unmap: we remove the rmap and drop the page
    // refcount. The page won't be freed, as we took a reference just above.
    page_remove_rmap(page, vma, false);
    put_page(page);
    if (pte_present(pte)) *unmapped = true;
    return mpfn;
}

// The pte loop of migrate_vma_collect_pmd(); v6.6's pte_offset_map_lock() may
// fail, v4.14's is the pre-6.5 one after a pmd_bad() look.
int collect_ptes(pmdp_t pmdp, unsigned long start, unsigned long end, mm_walk* walk, bool* again) {
    migrate_vma* migrate = migrate_of(walk);
    mm_struct* mm = walk->vma->vm_mm;
    const bool v4_14 = collect_form(walk) != migrate_vma_collect::v6_6;
    spinlock_t* ptl = nullptr;
    ptep_t ptep;
    if (v4_14) {
        if (pmd_bad(deref(pmdp))) return migrate_vma_collect_skip(start, end, walk);
        ptep = pte_offset_map_lock(mm, pmdp, start, &ptl);
    } else {
        ptep = v6_5::pte_offset_map_lock(mm, pmdp, start, &ptl);
        if (!ptep.table) {
            *again = true;
            return 0;
        }
    }
    bool unmapped = false;
    for (unsigned long addr = start; addr < end; addr += PAGE_SIZE, ++ptep.index) {
        const unsigned long mpfn = collect_pte(migrate, addr, ptep, v4_14, &unmapped);
        (*migrate->dst)[migrate->npages] = 0;
        (*migrate->src)[migrate->npages++] = mpfn;
    }
    /* Only flush the TLB if we actually modified any entries */
    if (unmapped) smp_mb();  // flush_tlb_range(), under the ptl since 60bae7370896
    --ptep.index;
    if (v4_14) pte_unmap_unlock(ptep, ptl);
    else v6_5::pte_unmap_unlock(ptep, ptl);
    return 0;
}

// migrate_vma_collect_pmd() — mm/migrate_device.c v6.6 / mm/migrate.c v4.14.
int migrate_vma_collect_pmd(pmdp_t pmdp, unsigned long start, unsigned long end, mm_walk* walk) {
    for (;;) {  // again:
        bool again = false;
        if (pmd_none(deref(pmdp))) return migrate_vma_collect_hole(start, end, -1, walk);
        if (pmd_trans_huge(deref(pmdp))) {
            const thp_step step = collect_thp(pmdp, start, walk, &again);
            if (again) continue;
            if (step == thp_step::skipped) return migrate_vma_collect_skip(start, end, walk);
            if (step == thp_step::hole) return migrate_vma_collect_hole(start, end, -1, walk);
        }
        const int ret = collect_ptes(pmdp, start, end, walk, &again);
        if (!again) return ret;
    }
}

const mm_walk_ops migrate_vma_walk_ops{
    .pmd_entry = migrate_vma_collect_pmd,
    .pte_hole = migrate_vma_collect_hole,
};

}  // namespace

// migrate_vma_collect() — mm/migrate_device.c v6.6 (v4.14 brackets the same
// walk with mmu_notifier_invalidate_range_start(mm, start, end)).
void detail::migrate_vma_collect(migrate_vma* migrate) {
    mm_struct* mm = migrate->vma->vm_mm;
    mmu_notifier_range range;
    // The pgmap_owner lets the device driver's notifier skip invalidating
    // device-private mappings that won't be migrated (_init_owner()).
    mmu_notifier_range_init(&range, MMU_NOTIFY_MIGRATE, 0, migrate->vma, mm, migrate->start, migrate->end);
    range.owner = migrate->pgmap_owner;
    mmu_notifier_invalidate_range_start(&range);
    walk_page_range(mm, migrate->start, migrate->end, &migrate_vma_walk_ops, migrate);
    mmu_notifier_invalidate_range_end(&range);
    migrate->end = migrate->start + (migrate->npages << PAGE_SHIFT);
}

}  // namespace mm
MMCHECK_ENGINE_END
