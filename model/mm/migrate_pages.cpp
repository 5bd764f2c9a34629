// migrate_pages() of one isolated anonymous folio: migrate_pages(),
// migrate_pages_batch(), migrate_folio_unmap(), migrate_folio_move(),
// move_to_new_folio(), migrate_folio() and folio_migrate_mapping() — mm/migrate.c
// v6.6, MIGRATE_SYNC, for the model's only whole-folio migrator (a THP moves
// through a pmd migration entry instead of being split; scenarios and tests
// call it as a NUMA or move_pages() caller would, with the folio isolated).
//
// Simplifications, stated once here: one folio, one pass (the kernel retries
// -EAGAIN up to NR_MAX_MIGRATE_PAGES_RETRY times; the model reports it), the
// destination from vma_alloc_folio() (get_new_folio), no LRU, no anon_vma
// reference (the model has no anon_vma), no data to copy and no flags to move
// (folio_migrate_copy() has nothing the model keeps; PG_anon_exclusive
// travels in the migration entries, as in the kernel).
#include "model/mm/migrate.h"

#include "model/mm/pagemap.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

constexpr int EAGAIN_RET = -11;
constexpr int ENOMEM_RET = -12;

// folio_mapped() — include/linux/mm.h v6.6: any pmd or pte mapping.
bool folio_mapped(page* folio) {
    if (atomic_read(folio->_entire_mapcount) != -1) return true;
    for (unsigned long i = 0; i < (1ul << folio->order); ++i)
        if (atomic_read(pfn_to_page(*folio->memory, folio->pfn + i)->_mapcount) != -1) return true;
    return false;
}

// folio_migrate_mapping() — mm/migrate.c v6.6, no mapping: the only reference
// left must be the migrator's (folio_expected_refs() is 1); a waiter on a
// migration entry or a GUP reference makes it -EAGAIN.
int folio_migrate_mapping(page* src) { return page_count(src) != 1 ? EAGAIN_RET : 0; }

// move_to_new_folio() -> migrate_folio() — mm/migrate.c v6.6, anonymous.
int move_to_new_folio(page* dst, page* src) {
    VM_BUG_ON(!kernel::detail::holds(&src->PG_locked) || !kernel::detail::holds(&dst->PG_locked),
              "VM_BUG_ON_FOLIO(!folio_test_locked(src) || !folio_test_locked(dst))");
    return folio_migrate_mapping(src);  // then folio_migrate_copy(): nothing to copy in the model
}

// migrate_folio_undo_src() and migrate_folio_undo_dst() — mm/migrate.c v6.6.
void migrate_folio_undo(page* src, page* dst, bool page_was_mapped, vm_area_struct* vma, unsigned long address) {
    if (page_was_mapped) remove_migration_ptes(src, src, vma, address);
    unlock_page(src);
    unlock_page(dst);
    put_page(dst);  // put_new_folio is NULL: folio_put()
}

}  // namespace

// migrate_pages() -> migrate_pages_batch() — mm/migrate.c v6.6 (migrate.h; the
// file header says what is left out).
int migrate_pages(page* src, vm_area_struct* vma, unsigned long address) {
    VM_BUG_ON(src->use != page_use::anon || src->compound_head != nullptr, "the model migrates anonymous folios only");
    // migrate_folio_unmap():
    if (page_count(src) == 1) {
        /* Folio was freed from under us. So we are done. */
        put_page(src);  // migrate_folio_done()
        return 0;
    }
    page* dst = vma_alloc_folio(vma, src->order);  // get_new_folio
    if (!dst) return ENOMEM_RET;
    if (!trylock_page(src)) lock_page(src);  // MIGRATE_SYNC: folio_lock()
    // Block others from accessing the new page when we get around to
    // establishing additional references.
    if (!trylock_page(dst)) {
        unlock_page(src);
        put_page(dst);
        return 1;
    }
    bool page_was_mapped = false;
    if (folio_mapped(src)) {
        /* Establish migration ptes */
        try_to_migrate(src, 0, vma, address);
        page_was_mapped = true;
    }
    if (folio_mapped(src)) {  // try_to_migrate() could not unmap every mapping
        migrate_folio_undo(src, dst, page_was_mapped, vma, address);
        return 1;
    }
    // migrate_folio_move():
    if (move_to_new_folio(dst, src) != 0) {
        migrate_folio_undo(src, dst, page_was_mapped, vma, address);
        return 1;
    }
    if (page_was_mapped) remove_migration_ptes(src, dst, vma, address);
    unlock_page(dst);
    // If migration is successful, decrease refcount of dst, which will not
    // free the page because new page owner increased refcounter.
    put_page(dst);
    unlock_page(src);
    // A folio that has been migrated has all references removed and will be freed.
    put_page(src);  // migrate_folio_done()
    return 0;
}

}  // namespace mm
MMCHECK_ENGINE_END
