// PMD migration entries: set_pmd_migration_entry() and remove_migration_pmd()
// — mm/huge_memory.c v6.6 (CONFIG_ARCH_ENABLE_THP_MIGRATION), for anonymous
// THPs. A pmd-mapped THP that migrates whole is replaced by one migration
// entry in the pmd, which holds neither a mapcount nor a reference; the
// deposited pte table stays deposited.
//
// Left out: the young, dirty, soft-dirty and uffd-wp bits of the entry
// (swapops.h), folio_mark_dirty() (no PG_dirty), flush_cache_range() and
// update_mmu_cache_pmd() (no caches), tracepoints; file folios.
#include "model/mm/huge_memory.h"
#include "model/mm/page_vma_mapped.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

// set_pmd_migration_entry() — mm/huge_memory.c v6.6. The pmd is invalidated
// first (it stays a huge leaf for lockless readers), then the page stops
// being exclusive, then the entry goes in: one hold of the pmd lock.
int set_pmd_migration_entry(struct page_vma_mapped_walk* pvmw, page* page) {
    struct page* folio = compound_head(page);
    vm_area_struct* vma = pvmw->vma;
    mm_struct* mm = vma->vm_mm;
    const unsigned long address = pvmw->address;
    if (!(pvmw->pmd.table && !pvmw->pte.table)) return 0;
    const pmd_t pmdval = pmdp_invalidate(vma, address, pvmw->pmd);
    /* See page_try_share_anon_rmap(): invalidate PMD first. */
    const bool anon_exclusive = folio->use == page_use::anon && PageAnonExclusive(page);  // folio_test_anon()
    if (anon_exclusive && page_try_share_anon_rmap(page)) {
        set_pmd_at(mm, address, pvmw->pmd, pmdval);
        return -16;  // -EBUSY
    }
    swp_entry_t entry;
    if (pmd_write(pmdval)) entry = make_writable_migration_entry(page_to_pfn(page));
    else if (anon_exclusive) entry = make_readable_exclusive_migration_entry(page_to_pfn(page));
    else entry = make_readable_migration_entry(page_to_pfn(page));
    set_pmd_at(mm, address, pvmw->pmd, swp_entry_to_pmd(entry));
    page_remove_rmap(page, vma, true);
    put_page(folio);  // folio_put()
    return 0;
}

// remove_migration_pmd() — mm/huge_memory.c v6.6: map newpage (the new folio,
// or the old one when migration failed) by the pmd again, with the entry's
// write permission and exclusivity; a mapping and a reference on it.
void remove_migration_pmd(struct page_vma_mapped_walk* pvmw, page* newpage) {
    struct page* folio = compound_head(newpage);
    vm_area_struct* vma = pvmw->vma;
    mm_struct* mm = vma->vm_mm;
    const unsigned long address = pvmw->address;
    const unsigned long haddr = address & PMD_MASK;
    if (!(pvmw->pmd.table && !pvmw->pte.table)) return;
    const swp_entry_t entry = pmd_to_swp_entry(deref(pvmw->pmd));
    get_page(folio);  // folio_get()
    pmd_t pmde = pmd_mkhuge(pfn_pmd(page_to_pfn(newpage), vma_anon_page_prot(vma)));  // mk_huge_pmd()
    if (is_writable_migration_entry(entry)) pmde = pmd_mkwrite(pmde);  // pmd_mkwrite(pmde, vma)
    // folio_test_anon(): exclusive unless the entry was readable.
    rmap_t rmap_flags = RMAP_COMPOUND;
    if (!is_readable_migration_entry(entry)) rmap_flags |= RMAP_EXCLUSIVE;
    page_add_anon_rmap(newpage, vma, haddr, rmap_flags);
    VM_BUG_ON(pmd_write(pmde) && !PageAnonExclusive(newpage),
              "VM_BUG_ON(pmd_write(pmde) && folio_test_anon(folio) && !PageAnonExclusive(new))");
    set_pmd_at(mm, haddr, pvmw->pmd, pmde);
    /* No need to invalidate - it was non-present before */
}

}  // namespace mm
MMCHECK_ENGINE_END
