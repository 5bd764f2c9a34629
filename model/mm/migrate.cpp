// See migrate.h: mm/migrate.c v6.6. Left out: file and KSM folios, the
// soft-dirty, uffd-wp and young/dirty bits of migration entries
// (model/mm/swapops.h).
#include "model/mm/migrate.h"

#include "model/mm/huge_memory.h"
#include "model/mm/memremap.h"
#include "model/mm/page_vma_mapped.h"
#include "model/mm/pagemap.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// page_vma_mapped_walk() with PVMW_SYNC | PVMW_MIGRATION for one small page at
// one address: the pte, locked, if it is a migration entry for pfn.
ptep_t map_migration_pte(mm_struct* mm, unsigned long pfn, unsigned long address, spinlock_t** ptl) {
    pmdp_t pmd;
    if (!mm_find_pmd(mm, address, &pmd)) return {};
    const ptep_t pte = v6_5::pte_offset_map_lock(mm, pmd, address, ptl);
    if (!pte.table) return {};
    const pte_t entry = ptep_get(pte);
    if (is_swap_pte(entry) && is_migration_entry(pte_to_swp_entry(entry)) &&
        swp_offset_pfn(pte_to_swp_entry(entry)) == pfn)
        return pte;
    v6_5::pte_unmap_unlock(pte, *ptl);
    return {};
}

// remove_migration_pte()'s PMD-mapped THP migration entry branch, v6.6: the
// rmap walk with PVMW_SYNC | PVMW_MIGRATION finds the pmd entry, locked.
void remove_migration_pmd_at(page* src, page* dst, vm_area_struct* vma, unsigned long addr) {
    struct page_vma_mapped_walk pvmw = folio_vma_walk(src, vma, addr, PVMW_SYNC | PVMW_MIGRATION);
    // The model's anonymous folios carry no index (page.h): addr stands for
    // vma_address(folio, vma), as in try_to_migrate_one().
    pvmw.pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
    while (page_vma_mapped_walk(&pvmw)) {
        if (!pvmw.pte.table) {
            VM_BUG_ON(src->order != TABLE_INDEX_BITS, "VM_BUG_ON_FOLIO(!folio_test_pmd_mappable(folio), folio)");
            remove_migration_pmd(&pvmw, dst);
        }
    }
}

// remove_migration_pte()'s pte case for one small page at addr.
void remove_migration_pte(page* src, page* dst, vm_area_struct* vma, unsigned long addr) {
    mm_struct* mm = vma->vm_mm;
    spinlock_t* ptl = nullptr;
    const ptep_t ptep = map_migration_pte(mm, page_to_pfn(src), addr, &ptl);
    if (!ptep.table) return;
    const swp_entry_t entry = pte_to_swp_entry(ptep_get(ptep));
    get_page(dst);
    pte_t pte = pfn_pte(page_to_pfn(dst), vma_anon_page_prot(vma));
    if (is_writable_migration_entry(entry)) pte = pte_mkwrite(pte);  // pte_mkwrite(pte, vma)
    // A device-private page is mapped by a device-private entry, as writable
    // as the pte would have been.
    if (is_device_private_page(dst)) {
        const swp_entry_t device_entry = pte_write(pte) ? make_writable_device_private_entry(page_to_pfn(dst))
                                                        : make_readable_device_private_entry(page_to_pfn(dst));
        pte = swp_entry_to_pte(device_entry);
    }
    // An exclusive page stays exclusive; a readable entry was shared.
    page_add_anon_rmap(dst, vma, addr, is_readable_migration_entry(entry) ? RMAP_NONE : RMAP_EXCLUSIVE);
    set_pte_at(mm, addr, ptep, pte);
    v6_5::pte_unmap_unlock(ptep, ptl);
}

}  // namespace

// remove_migration_ptes() — mm/migrate.c v6.6, for the one address (migrate.h),
// anonymous folios: a large folio's pmd entry, then its pages' pte entries
// (those of a pmd entry split meanwhile) one by one.
void remove_migration_ptes(page* src, page* dst, vm_area_struct* vma, unsigned long addr) {
    if (src->order == 0) return remove_migration_pte(src, dst, vma, addr);
    remove_migration_pmd_at(src, dst, vma, addr);
    for (unsigned long i = 0; i < (1ul << src->order); ++i)
        remove_migration_pte(pfn_to_page(*src->memory, src->pfn + i), pfn_to_page(*dst->memory, dst->pfn + i), vma,
                             addr + i * PAGE_SIZE);
}

// migration_entry_wait() and migration_entry_wait_on_locked() — mm/migrate.c and
// mm/filemap.c v6.6. The kernel queues itself on the folio's waitqueue under
// the ptl and takes no reference (ffa65753c431, v5.19); the model takes one under
// the ptl instead (the v5.18 form: compound_head(), get_page_unless_zero())
// so that the page it waits on stays the page. A folio whose count
// split_huge_page() froze at 0 gives no reference: the fault just retries
// (a busy retry until the split has moved on, hence the retry hint).
void migration_entry_wait(mm_struct* mm, pmdp_t pmd, unsigned long address) {
    spinlock_t* ptl = nullptr;
    const ptep_t ptep = v6_5::pte_offset_map_lock(mm, pmd, address, &ptl);
    if (!ptep.table) return;
    const pte_t pte = ptep_get(ptep);
    if (!is_swap_pte(pte) || !is_migration_entry(pte_to_swp_entry(pte))) {
        v6_5::pte_unmap_unlock(ptep, ptl);
        return;
    }
    page* folio = compound_head(pfn_swap_entry_to_page(mm->memory, pte_to_swp_entry(pte)));
    if (!get_page_unless_zero(folio)) {
        v6_5::pte_unmap_unlock(ptep, ptl);
        backend::retry_hint(std::source_location::current());
        return;
    }
    v6_5::pte_unmap_unlock(ptep, ptl);
    folio_wait_locked(folio);
    put_page(folio);
}

// pmd_migration_entry_wait() — mm/migrate.c v6.6, with the reference of
// migration_entry_wait() above in place of migration_entry_wait_on_locked()'s
// referenceless wait (only migrate_pages() makes pmd entries, and it holds a
// reference throughout; the frozen-count retry is kept for symmetry).
void pmd_migration_entry_wait(mm_struct* mm, pmdp_t pmd) {
    spinlock_t* ptl = pmd_lock(mm, pmd);
    const pmd_t pmdval = deref(pmd);
    if (!is_pmd_migration_entry(pmdval)) {
        spin_unlock(ptl);
        return;
    }
    page* folio = compound_head(pfn_swap_entry_to_page(mm->memory, pmd_to_swp_entry(pmdval)));
    if (!get_page_unless_zero(folio)) {
        spin_unlock(ptl);
        backend::retry_hint(std::source_location::current());
        return;
    }
    spin_unlock(ptl);
    folio_wait_locked(folio);
    put_page(folio);
}

}  // namespace mm
MMCHECK_ENGINE_END
