// try_to_migrate() and try_to_migrate_one() — mm/rmap.c v6.6, for anonymous,
// non-hugetlb, non-device folios, as split_huge_page()'s unmap_folio() and
// migrate_pages() use them (migrate.h: the rmap walk is the one (vma, address)
// the caller names). With TTU_SPLIT_HUGE_PMD (unmap_folio()) a pmd mapping is
// split into pte migration entries first; without it (migrate_pages() of a
// THP, CONFIG_ARCH_ENABLE_THP_MIGRATION) it becomes one pmd migration entry.
//
// Left out: the mmu notifier bracket (no secondary MMU in the scenarios that
// split pages, as in huge_memory_split.cpp), TLB flush batching (no TLB),
// folio_mark_dirty() (no PG_dirty), hwpoison, mlock, the young/dirty/soft-dirty
// bits of migration entries (swapops.h).
#include "model/mm/huge_memory.h"
#include "model/mm/migrate.h"
#include "model/mm/page_vma_mapped.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// try_to_migrate_one() — mm/rmap.c v6.6: replace every pte of the folio in
// vma by a migration entry; false if a page could not stop being exclusive.
bool try_to_migrate_one(page* folio, vm_area_struct* vma, unsigned long address, ttu_flags flags) {
    mm_struct* mm = vma->vm_mm;
    struct page_vma_mapped_walk pvmw = folio_vma_walk(folio, vma, address, 0);  // DEFINE_FOLIO_VMA_WALK()
    // The caller's address stands for vma_address(folio, vma): the rmap walk
    // is the caller's (vma, address) (migrate.h), and a scenario's initial
    // folios need not carry an index (page.h).
    pvmw.pgoff = vma->vm_pgoff + ((address - vma->vm_start) >> PAGE_SHIFT);
    bool ret = true;
    // When racing against e.g. zap_pte_range() on another cpu, wait for its
    // rmap update instead of returning while the folio is still mapped.
    if (flags & TTU_SYNC) pvmw.flags = PVMW_SYNC;
    // unmap_folio() is the only user of TTU_SPLIT_HUGE_PMD, and it wants to freeze.
    if (flags & TTU_SPLIT_HUGE_PMD) split_huge_pmd_address(vma, address, true, folio);
    while (page_vma_mapped_walk(&pvmw)) {
        /* PMD-mapped THP migration entry */
        if (!pvmw.pte.table) {
            page* subpage = pfn_to_page(mm->memory, pmd_pfn(deref(pvmw.pmd)));  // folio_page(folio, pfn - folio_pfn)
            VM_BUG_ON(folio->order != TABLE_INDEX_BITS, "VM_BUG_ON_FOLIO(!folio_test_pmd_mappable(folio), folio)");
            if (set_pmd_migration_entry(&pvmw, subpage)) {
                ret = false;
                page_vma_mapped_walk_done(&pvmw);
                break;
            }
            continue;
        }
        /* Unexpected PMD-mapped THP? */
        VM_BUG_ON(!pvmw.pte.table, "VM_BUG_ON_FOLIO(!pvmw.pte, folio)");
        const unsigned long pfn = pte_pfn(ptep_get(pvmw.pte));
        page* subpage = pfn_to_page(mm->memory, pfn);
        address = pvmw.address;
        const bool anon_exclusive = PageAnonExclusive(subpage);
        /* Nuke the page table entry. */
        const pte_t pteval = ptep_get_and_clear(mm, address, pvmw.pte);  // ptep_clear_flush()
        VM_BUG_ON(pte_write(pteval) && !anon_exclusive, "VM_BUG_ON_PAGE(pte_write(pteval) && !anon_exclusive)");
        /* See page_try_share_anon_rmap(): clear PTE first. */
        if (anon_exclusive && page_try_share_anon_rmap(subpage)) {
            set_pte_at(mm, address, pvmw.pte, pteval);
            ret = false;
            page_vma_mapped_walk_done(&pvmw);
            break;
        }
        // Store the pfn in a migration pte: do_swap_page() waits until it is
        // removed, then restarts the fault.
        swp_entry_t entry;
        if (pte_write(pteval)) entry = make_writable_migration_entry(pfn);
        else if (anon_exclusive) entry = make_readable_exclusive_migration_entry(pfn);
        else entry = make_readable_migration_entry(pfn);
        set_pte_at(mm, address, pvmw.pte, swp_entry_to_pte(entry));
        page_remove_rmap(subpage, vma, false);
        put_page(folio);  // folio_put()
    }
    return ret;
}

}  // namespace

// try_to_migrate() — mm/rmap.c v6.6: rmap_walk_locked() over the folio's
// mappings, here the one (vma, address) of migrate.h.
void try_to_migrate(page* folio, ttu_flags flags, vm_area_struct* vma, unsigned long address) {
    try_to_migrate_one(folio, vma, address, flags);
}

}  // namespace mm
MMCHECK_ENGINE_END
