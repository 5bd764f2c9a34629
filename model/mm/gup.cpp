// See gup.h: GUP-fast, mm/gup.c v6.6, with the older pte steps and folio
// reference as variants (model/mm/variants.h, gup_fast, gup_try_get_folio).
#include "model/mm/gup.h"

#include <cerrno>
#include <string>

#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

void local_irq_save() { rcu_read_lock(); }
void local_irq_restore() { rcu_read_unlock(); }
// smp_call_function() and its wait are full barriers, as synchronize_rcu() is on
// the seam: the caller's pmd clear is ordered before any walker it does not wait for.
void tlb_remove_table_sync_one() { synchronize_rcu(); }

namespace {

// pte_access_permitted() / pmd_access_permitted() — arch/x86/include/asm/pgtable.h v6.6.
bool __pte_access_permitted(std::uint64_t v, bool write) {
    std::uint64_t need = _PAGE_PRESENT | _PAGE_USER;
    if (write) need |= _PAGE_RW;
    return (v & need) == need;
}

// folio_ref_try_add_rcu() — include/linux/page_ref.h v6.6: add refs unless the
// count is zero (the page is being freed), as page_ref_add_unless() does.
bool folio_ref_try_add_rcu(page* folio, int refs) {
    marked<long>& count = folio->_refcount.raw();
    long old = READ_ONCE(count);
    for (;;) {
        if (old == 0) return false;
        const long seen = cmpxchg(count, old, old + refs);
        if (seen == old) return true;
        old = seen;
    }
}

// gup_put_folio() — mm/gup.c v6.6, FOLL_GET: drop the references just taken.
void gup_put_folio(page* folio, int refs, unsigned) {
    for (int i = 0; i < refs; ++i) put_page(folio);
}

// page_folio() — include/linux/page-flags.h v6.6, READ_ONCE(page->compound_head)
// with no reference held. compound_head is checker knowledge in the model
// (page.h), written by the allocator and by split_huge_page()'s
// __split_huge_page_tail() and read here with no scheduling point. The read
// happens in the step of the seam access just before it (the pte read; the
// refcount cmpxchg), and a split clears a tail's compound_head only after
// replacing its pte with a migration entry and freezing the count, and raises
// the count again only after, so the engines see every order of GUP's reads
// against the clear through those seam accesses.
page* page_folio(page* p) { return compound_head(p); }

// try_get_folio() — mm/gup.c v6.6: reference the page's folio, then check
// that the folio is still the page's: split_huge_page() may have split it
// between page_folio() and the increment (c24d37322548). With
// v5_13_no_folio_recheck, v5.13's try_get_compound_head(), which returned the
// head unchecked. (WARN_ON_ONCE(folio_ref_count(folio) < 0) is left out.)
page* try_get_folio(page* p, int refs, mm_struct* mm) {
    for (;;) {  // retry:
        page* folio = page_folio(p);
        if (!folio_ref_try_add_rcu(folio, refs)) return nullptr;
        if (mm->variants.gup_grab == gup_try_get_folio::v5_13_no_folio_recheck) return folio;
        if (page_folio(p) == folio) return folio;
        gup_put_folio(folio, refs, FOLL_GET);
    }
}

// try_grab_folio() — mm/gup.c v6.6, FOLL_GET only (the p2pdma check is left
// out). The model passes the mm for its variants.
page* try_grab_folio(page* p, int refs, unsigned, mm_struct* mm) { return try_get_folio(p, refs, mm); }

// pud_offset_lockless(): the pud table a pgd snapshot names.
pudp_t pud_offset_lockless(page* table, unsigned long addr) {
    backend::bookkeeping_guard guard;
    return pudp_t{table, pud_index(addr), table->generation};
}

// __pte_offset_map() of GUP's local copy of the pmd (pte_offset_map(&pmd, addr),
// v6.5+): the table the snapshot names, inside rcu_read_lock().
ptep_t pte_offset_map_local(const pmd_t* pmd, mem_map& memory, unsigned long addr) {
    rcu_read_lock();
    const pmd_t pmdval = *pmd;
    if (pmd_none(pmdval) || !pmd_present(pmdval) || pmd_trans_huge(pmdval) || pmd_devmap(pmdval)) {
        rcu_read_unlock();
        return {};
    }
    return pte_handle(pfn_to_page(memory, pmd_pfn(pmdval)), pte_index(addr));
}

// gup_pte_range() — mm/gup.c v6.6; with v6_1_pte_recheck, before 70cbc3cc78a9
// (no pmd re-check).
int gup_pte_range(mm_struct* mm, pmd_t pmd, pmdp_t pmdp, unsigned long addr, unsigned long end, unsigned flags,
                  page** pages, int* nr) {
    int ret = 0;
    const ptep_t ptem = pte_offset_map_local(&pmd, mm->memory, addr);
    if (!ptem.table) return 0;
    ptep_t ptep = ptem;
    do {
        const pte_t pte = ptep_get(ptep);  // ptep_get_lockless(): one READ_ONCE on x86-64
        // Always fall back to ordinary GUP on PROT_NONE-mapped pages.
        if (pte_protnone(pte)) goto pte_unmap;
        if (!__pte_access_permitted(pte_val(pte), flags & FOLL_WRITE)) goto pte_unmap;
        if (pte_special(pte)) goto pte_unmap;
        {
            page* p = pfn_to_page(mm->memory, pte_pfn(pte));
            page* folio = try_grab_folio(p, 1, flags, mm);
            if (!folio) goto pte_unmap;
            const bool pmd_changed =
                mm->variants.gup == gup_fast::fixed_70cbc3cc78a9 && pmd_val(pmd) != pmd_val(deref(pmdp));
            if (pmd_changed || pte_val(pte) != pte_val(ptep_get(ptep))) {
                gup_put_folio(folio, 1, flags);
                goto pte_unmap;
            }
            // v5.13's gup_pte_range() (CONFIG_DEBUG_VM), gone with the folio
            // conversion once try_get_folio() re-checked.
            if (mm->variants.gup_grab == gup_try_get_folio::v5_13_no_folio_recheck)
                VM_BUG_ON(page_folio(p) != folio, "VM_BUG_ON_PAGE(compound_head(page) != head, page)");
            pages[(*nr)++] = p;  // folio_set_referenced(): no LRU in the model
        }
        ptep = ptep_t{ptep.table, ptep.index + 1, ptep.generation};
        addr += PAGE_SIZE;
    } while (addr != end);
    ret = 1;
pte_unmap:
    rcu_read_unlock();  // pte_unmap(ptem)
    return ret;
}

// gup_pte_range() — arch/x86/mm/gup.c v4.12: get_page() and no re-check; the
// walker trusted the flush IPI to keep the page and the table alive.
int gup_pte_range_x86_v4_12(mm_struct* mm, pmd_t pmd, unsigned long addr, unsigned long end, unsigned flags,
                            page** pages, int* nr) {
    ptep_t ptep = pte_handle(pfn_to_page(mm->memory, pmd_pfn(pmd)), pte_index(addr));  // pte_offset_map(&pmd, addr)
    do {
        const pte_t pte = ptep_get(ptep);  // gup_get_pte(): READ_ONCE(*ptep)
        if (pte_protnone(pte)) return 0;
        if (!__pte_access_permitted(pte_val(pte), flags & FOLL_WRITE)) return 0;  // pte_allows_gup()
        if (pte_special(pte)) return 0;
        page* p = pfn_to_page(mm->memory, pte_pfn(pte));
        // get_page(): v4.12 had VM_BUG_ON_PAGE(page_ref_count(page) <= 0) before
        // the increment; the model reports the increment from zero itself, the
        // moment the walker pins a page that is being freed.
        if (atomic_add_return(1, compound_head(p)->_refcount) == 1)
            report_violation(violation_kind::stale_pin,
                             "get_page() on pfn " + std::to_string(p->pfn) +
                                 " raised a zero refcount: the page was being freed after its pte was read");
        pages[(*nr)++] = p;
        ptep = ptep_t{ptep.table, ptep.index + 1, ptep.generation};
        addr += PAGE_SIZE;
    } while (addr != end);
    return 1;
}

// gup_huge_pmd() — mm/gup.c v6.6. A devmap pmd (the model's devmem driver maps
// them) would be pinned by __gup_device_huge_pmd(), left out: the walk stops there,
// as it does for FOLL_LONGTERM. The x86 v4.12 form took the references on the head
// without the re-check.
int gup_huge_pmd(mm_struct* mm, pmd_t orig, pmdp_t pmdp, unsigned long addr, unsigned long end, unsigned flags,
                 page** pages, int* nr) {
    if (!__pte_access_permitted(pmd_val(orig), flags & FOLL_WRITE)) return 0;
    if (pmd_devmap(orig)) return 0;
    page* head = pfn_to_page(mm->memory, pmd_pfn(orig));
    // nth_page(pmd_page(orig), ...): the subpage at addr, whose folio try_grab_folio() re-checks.
    page* subpage = pfn_to_page(mm->memory, head->pfn + ((addr & ~PMD_MASK) >> PAGE_SHIFT));
    const int refs = int((end - addr) >> PAGE_SHIFT);  // record_subpages()
    for (int i = 0; i < refs; ++i) pages[*nr + i] = pfn_to_page(mm->memory, subpage->pfn + static_cast<unsigned long>(i));
    if (mm->variants.gup == gup_fast::x86_v4_12_no_recheck) {
        page_ref_add(head, refs);
    } else {
        page* folio = try_grab_folio(subpage, refs, flags, mm);
        if (!folio) return 0;
        if (pmd_val(orig) != pmd_val(deref(pmdp))) {
            gup_put_folio(folio, refs, flags);
            return 0;
        }
    }
    *nr += refs;
    return 1;
}

// gup_pmd_range() — mm/gup.c v6.6 (no hugepd). pmd_offset_lockless(): the pmd
// table the caller's pud snapshot names, not a re-read of *pudp.
int gup_pmd_range(mm_struct* mm, pud_t pud, unsigned long addr, unsigned long end, unsigned flags, page** pages,
                  int* nr) {
    pmdp_t pmdp = pmd_handle(pfn_to_page(mm->memory, pud_pfn(pud)), pmd_index(addr));
    unsigned long next;
    do {
        const pmd_t pmd = pmdp_get_lockless(pmdp);
        next = pmd_addr_end(addr, end);
        if (!pmd_present(pmd)) return 0;
        if (pmd_trans_huge(pmd) || pmd_devmap(pmd)) {
            if ((pmd_val(pmd) & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE) return 0;  // pmd_protnone()
            if (!gup_huge_pmd(mm, pmd, pmdp, addr, next, flags, pages, nr)) return 0;
        } else if (mm->variants.gup == gup_fast::x86_v4_12_no_recheck) {
            if (!gup_pte_range_x86_v4_12(mm, pmd, addr, next, flags, pages, nr)) return 0;
        } else if (!gup_pte_range(mm, pmd, pmdp, addr, next, flags, pages, nr)) {
            return 0;
        }
        pmdp = pmd_handle(pmdp.table, pmd_index(next));
        addr = next;
    } while (addr != end);
    return 1;
}

// gup_pud_range() — mm/gup.c v6.6 (p4d folded: gup_p4d_range() is this loop).
// Huge puds are devmap (DAX) only in the model; v6.6 pins them with
// gup_huge_pud()'s __gup_device_huge_pud(), left out like the pmd form: the walk stops.
int gup_pud_range(mm_struct* mm, pgd_t pgd, unsigned long addr, unsigned long end, unsigned flags, page** pages,
                  int* nr) {
    pudp_t pudp = pud_offset_lockless(pfn_to_page(mm->memory, (pgd_val(pgd) & PTE_PFN_MASK) >> PAGE_SHIFT), addr);
    unsigned long next;
    do {
        const pud_t pud = pudp_get(pudp);  // READ_ONCE(*pudp)
        next = pud_addr_end(addr, end);
        if (!pud_present(pud) || pud_leaf(pud)) return 0;
        if (!gup_pmd_range(mm, pud, addr, next, flags, pages, nr)) return 0;
        pudp = pudp_t{pudp.table, pud_index(next), pudp.generation};
        addr = next;
    } while (addr != end);
    return 1;
}

// gup_pgd_range() — mm/gup.c v6.6.
void gup_pgd_range(mm_struct* mm, unsigned long addr, unsigned long end, unsigned flags, page** pages, int* nr) {
    const unsigned long pgdir_size = 1ul << PGDIR_SHIFT;
    unsigned long next;
    do {
        const pgd_t pgd = deref(pgd_offset(mm, addr));  // READ_ONCE(*pgdp)
        const unsigned long boundary = (addr + pgdir_size) & ~(pgdir_size - 1);
        next = boundary - 1 < end - 1 ? boundary : end;
        if (pgd_val(pgd) == 0) return;
        if (!gup_pud_range(mm, pgd, addr, next, flags, pages, nr)) return;
        addr = next;
    } while (addr != end);
}

// lockless_pages_from_mm() — mm/gup.c v6.6, FOLL_GET (no write_protect_seq).
int lockless_pages_from_mm(mm_struct* mm, unsigned long start, unsigned long end, unsigned gup_flags, page** pages) {
    int nr_pinned = 0;
    // With interrupts disabled, page-table pages cannot be freed from under us.
    local_irq_save();
    gup_pgd_range(mm, start, end, gup_flags, pages, &nr_pinned);
    local_irq_restore();
    return nr_pinned;
}

}  // namespace

// get_user_pages_fast() -> internal_get_user_pages_fast() — mm/gup.c v6.6,
// without the slow-path fallback (see gup.h).
int get_user_pages_fast(mm_struct* mm, unsigned long start, int nr_pages, unsigned gup_flags, page** pages) {
    gup_flags |= FOLL_GET;
    start &= PAGE_MASK;
    if (nr_pages <= 0) return 0;
    const unsigned long end = start + (unsigned long)nr_pages * PAGE_SIZE;
    if (end < start) return -EOVERFLOW;  // check_add_overflow()
    if (end > TASK_SIZE) return -EFAULT;
    return lockless_pages_from_mm(mm, start, end, gup_flags, pages);
}

}  // namespace mm
MMCHECK_ENGINE_END
