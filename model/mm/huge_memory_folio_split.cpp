// Splitting a THP folio into order-0 pages: split_huge_page_to_list(),
// can_split_folio(), unmap_folio(), __split_huge_page(),
// __split_huge_page_tail() and remap_page() of mm/huge_memory.c v6.6.
//
// The caller holds the folio's page lock and a reference, as in the kernel;
// the split unmaps every pte and pmd mapping into migration entries
// (try_to_migrate(), rmap_migrate.cpp), freezes the refcount at the one
// expected reference, makes every tail an order-0 anonymous page with its own
// refcount (and the head's PG_locked), puts the mappings back and unlocks and
// releases every page but the one the caller passed, which keeps the caller's
// lock and reference.
//
// Simplifications, stated once here: anonymous folios only (no page-cache
// xarray split, no i_mmap lock, no truncation past EOF: no modeled path
// splits a file folio); no anon_vma, so no anon_vma_lock_write(), and the rmap
// walk is the (vma, address) the caller passes, as for migration (migrate.h): a
// THP that a forked child maps too keeps the child's mapping and reference, so
// the refcount freeze fails and the split returns -EAGAIN where v6.6 would unmap
// it from both mms and split it; no swap cache, LRU, memcg, page owner or
// deferred split queue (its lock only keeps deferred_split_scan() off the
// refcount); the list argument (tails onto a caller's LRU list) is dropped.
#include "model/mm/huge_memory.h"
#include "model/mm/migrate.h"
#include "model/mm/pagemap.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

constexpr int EAGAIN_RET = -11;

page* folio_page(page* folio, unsigned long n) { return pfn_to_page(*folio->memory, folio->pfn + n); }
unsigned long folio_nr_pages(page* folio) { return 1ul << folio->order; }

// folio_mapcount() — include/linux/mm.h v6.6 (folio_total_mapcount()): the pmd
// mappings plus every page's pte mappings.
long folio_mapcount(page* folio) {
    long mapcount = atomic_read(folio->_entire_mapcount) + 1;
    for (unsigned long i = 0; i < folio_nr_pages(folio); ++i) mapcount += atomic_read(folio_page(folio, i)->_mapcount) + 1;
    return mapcount;
}

// folio_ref_freeze() — include/linux/page_ref.h v6.6: the count goes to 0
// only from exactly `count`, so no speculative reference is taken meanwhile
// (folio_try_get() fails on 0).
bool folio_ref_freeze(page* folio, long count) { return cmpxchg(folio->_refcount.raw(), count, 0l) == count; }

// unmap_folio() — mm/huge_memory.c v6.6: anonymous pages keep their data in
// migration entries (file pages would simply be unmapped: not modeled).
void unmap_folio(page* folio, vm_area_struct* vma, unsigned long address) {
    const ttu_flags flags = TTU_RMAP_LOCKED | TTU_SPLIT_HUGE_PMD | TTU_SYNC;
    VM_BUG_ON(folio->order == 0, "VM_BUG_ON_FOLIO(!folio_test_large(folio), folio)");
    try_to_migrate(folio, flags, vma, address);
}

// remap_page() — mm/huge_memory.c v6.6: remove_migration_ptes() for each of
// the nr pages, whether the folio is still large (the freeze failed) or split.
void remap_page(page* folio, unsigned long nr, vm_area_struct* vma, unsigned long address) {
    for (unsigned long i = 0; i < nr; ++i) {
        page* p = folio_page(folio, i);
        remove_migration_ptes(p, p, vma, address + i * PAGE_SIZE);
    }
}

// __split_huge_page_tail() — mm/huge_memory.c v6.6: tail `tail` of the frozen
// folio becomes an order-0 page, locked as the head is, with one reference
// (the split's own, dropped at the end).
void __split_huge_page_tail(page* folio, unsigned long tail) {
    page* head = folio;
    page* page_tail = folio_page(folio, tail);
    VM_BUG_ON(atomic_read(page_tail->_mapcount) != -1, "VM_BUG_ON_PAGE(atomic_read(&page_tail->_mapcount) != -1)");
    // Clone the flags before unfreezing: PG_locked comes from the head. Mapped
    // subpages had PG_anon_exclusive moved into their migration entries by
    // unmap_folio(); on unmapped ones it is simply dropped.
    VM_BUG_ON(!trylock_page(page_tail), "a tail page's PG_locked is free until its folio is split");
    ClearPageAnonExclusive(page_tail);
    page_tail->index = head->index + tail;
    /* Page flags must be visible before we make the page non-compound. */
    smp_wmb();
    {
        // clear_compound_head(): the allocator's view follows (page.h).
        backend::bookkeeping_guard guard;
        page_tail->compound_head = nullptr;
        page_tail->order = 0;
        page_tail->use = page_use::anon;
    }
    // page_ref_unfreeze(): no page-cache or swap-cache reference for anon.
    atomic_set(page_tail->_refcount, 1);
}

// __split_huge_page() — mm/huge_memory.c v6.6, anonymous, no swap cache.
void __split_huge_page(page* page, vm_area_struct* vma, unsigned long address) {
    struct page* head = compound_head(page);
    const unsigned long nr = folio_nr_pages(head);
    for (unsigned long i = nr - 1; i >= 1; --i) __split_huge_page_tail(head, i);
    {
        backend::bookkeeping_guard guard;  // ClearPageCompound(head)
        head->order = 0;
    }
    // The head's count was frozen at the caller's reference: give it back.
    atomic_inc(head->_refcount);  // page_ref_inc()
    remap_page(head, nr, vma, address);
    for (unsigned long i = 0; i < nr; ++i) {
        struct page* subpage = folio_page(head, i);
        if (subpage == page) continue;
        unlock_page(subpage);
        // Subpages that nothing maps any more are freed here.
        put_page(subpage);  // free_page_and_swap_cache()
    }
}

}  // namespace

// can_split_folio() — mm/huge_memory.c v6.6: every reference but the
// caller's is a mapping (an anonymous folio outside the swap cache has no
// other pins to expect).
bool can_split_folio(page* folio, int* pextra_pins) {
    const int extra_pins = 0;
    if (pextra_pins) *pextra_pins = extra_pins;
    return folio_mapcount(folio) == page_count(folio) - extra_pins - 1;
}

// split_huge_page_to_list() — mm/huge_memory.c v6.6 (see the file header for
// what is left out): 0, or -EAGAIN with the folio intact when a reference
// other than the caller's and the mappings' exists (GUP, a waiter).
int split_huge_page_to_list(page* page, vm_area_struct* vma, unsigned long address) {
    struct page* folio = compound_head(page);
    // The folio's lock is its head page's PG_locked in the model.
    VM_BUG_ON(!kernel::detail::holds(&folio->PG_locked), "VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio)");
    VM_BUG_ON(folio->order == 0, "VM_BUG_ON_FOLIO(!folio_test_large(folio), folio)");
    VM_BUG_ON(folio->use != page_use::anon || !vma_is_anonymous(vma), "the model splits anonymous folios only");
    int extra_pins = 0;
    // Racy check if we can split the page, before unmap_folio() will split PMDs.
    if (!can_split_folio(folio, &extra_pins)) return EAGAIN_RET;
    unmap_folio(folio, vma, address);
    if (folio_ref_freeze(folio, 1 + extra_pins)) {
        __split_huge_page(page, vma, address);
        return 0;
    }
    remap_page(folio, folio_nr_pages(folio), vma, address);
    return EAGAIN_RET;
}

}  // namespace mm
MMCHECK_ENGINE_END
