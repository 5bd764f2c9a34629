// Reference and map counts of anonymous pages and THP folios: mm/rmap.c
// (page_add_*_rmap, page_remove_rmap), include/linux/mm.h (get_page/put_page)
// and mm/mempolicy.c (vma_alloc_folio), v6.6.
//
// Simplifications, stated once here: a folio is its head page; its refcount
// lives on the head, each subpage's pte mappings in the subpage's _mapcount and
// the pmd mapping in the head's _entire_mapcount (folio->_nr_pages_mapped, LRU,
// memcg and anon_vma are left out: no modeled path reads them).
#pragma once

#include "model/mm/mm_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// compound_head() — include/linux/page-flags.h v6.6: one READ_ONCE() of the
// tail's head pointer, which a split may clear meanwhile (page.h).
inline page* compound_head(page* p) {
    page* head = p->compound_head;
    return head ? head : p;
}
inline unsigned compound_order(page* p) { return compound_head(p)->order; }
// PageCompound() — include/linux/page-flags.h v6.6: a head or a tail page.
inline bool PageCompound(page* p) { return compound_head(p) != p || p->order > 0; }

// vma_alloc_folio(): an anonymous folio of 2^order pages, refcount 1, unmapped.
page* vma_alloc_folio(vm_area_struct* vma, unsigned order);
void get_page(page* p);
void page_ref_add(page* p, int nr);
// get_page_unless_zero() — include/linux/mm.h v6.6: false for a count frozen
// (split_huge_page()) or dropped to 0.
bool get_page_unless_zero(page* p);
// Drops a reference; the last one frees the folio. Freeing a folio that is still
// mapped is an accounting violation (the kernel's "Bad page state").
void put_page(page* p);
long page_count(page* p);

// rmap_t of page_add_anon_rmap() (include/linux/rmap.h v6.6).
using rmap_t = unsigned;
inline constexpr rmap_t RMAP_NONE = 0;
inline constexpr rmap_t RMAP_EXCLUSIVE = 1u << 0;  // the page is exclusive to this mapping
inline constexpr rmap_t RMAP_COMPOUND = 1u << 1;   // the folio's pmd mapping, not a pte one

// folio_add_new_anon_rmap() marks the new folio exclusive (on its head page).
void page_add_new_anon_rmap(page* p, vm_area_struct* vma, unsigned long address);
void page_add_anon_rmap(page* p, vm_area_struct* vma, unsigned long address, rmap_t flags = RMAP_NONE);

// PageAnonExclusive() and friends — include/linux/page-flags.h, rmap.h v6.6.
inline bool PageAnonExclusive(const page* p) { return p->anon_exclusive; }
inline void SetPageAnonExclusive(page* p) { p->anon_exclusive = true; }
inline void ClearPageAnonExclusive(page* p) { p->anon_exclusive = false; }
// folio_test_ksm() — include/linux/page-flags.h v6.6 (page.h: the flag).
inline bool PageKsm(const page* p) { return p->ksm; }
// page_try_share_anon_rmap() — include/linux/rmap.h v6.6: the page stops being
// exclusive (-EBUSY if pinned, which the model never is). Called with the pte
// cleared and flushed, so no GUP-fast can start pinning meanwhile.
int page_try_share_anon_rmap(page* p);
// page_try_dup_anon_rmap() — include/linux/rmap.h v6.6, fork()'s duplicate of
// a mapping (with compound: the folio's pmd mapping): an exclusive page stops
// being exclusive, unless it may be DMA-pinned (-EBUSY: the caller copies or
// splits). No page is ever pinned in the model, so it never fails.
int page_try_dup_anon_rmap(page* p, bool compound, vm_area_struct* vma);
// page_add_file_rmap() — mm/rmap.c v6.6: a pte mapping of p, or with compound
// the pmd mapping of its folio.
void page_add_file_rmap(page* p, vm_area_struct* vma, bool compound);
void page_remove_rmap(page* p, vm_area_struct* vma, bool compound);
// page_mapcount(): pte mappings of this page plus the folio's pmd mappings.
long page_mapcount(page* p);

// vma->vm_page_prot of a private anonymous VMA: PAGE_COPY, read-only until a
// write fault applies maybe_mkwrite().
inline pgprot_t vma_anon_page_prot(const vm_area_struct*) { return PAGE_READONLY; }

// vm_normal_page() — mm/memory.c v6.6 for anonymous VMAs: NULL for special ptes
// (the zero page), else the mapped page.
page* vm_normal_page(vm_area_struct* vma, unsigned long addr, pte_t pte);

// End-of-run check, beside check_page_tables(): every anonymous folio's refcount,
// entire and per-page mapcounts equal the mappings the page tables hold, and no
// anonymous folio is allocated but mapped nowhere. Device-private pages
// (memremap.h) are counted by their device-private entries; a free one is not a
// leak. Callers release their own references first.
void check_anon_accounting(mm_struct* mm);
// The same over mms sharing one mem_map (a parent and its fork() children):
// counts are the mappings of all of them.
void check_anon_accounting(const std::vector<mm_struct*>& mms);

// mm_find_pmd() — mm/rmap.c v6.6: the pmd slot for address, if the pgd and a
// present, non-leaf pud lead to one (the kernel returns the pointer or NULL).
bool mm_find_pmd(mm_struct* mm, unsigned long address, pmdp_t* pmd);

}  // namespace mm
MMCHECK_ENGINE_END
