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

inline page* compound_head(page* p) { return p->compound_head ? p->compound_head : p; }
inline unsigned compound_order(page* p) { return compound_head(p)->order; }

// vma_alloc_folio(): an anonymous folio of 2^order pages, refcount 1, unmapped.
page* vma_alloc_folio(vm_area_struct* vma, unsigned order);
void get_page(page* p);
void page_ref_add(page* p, int nr);
// Drops a reference; the last one frees the folio. Freeing a folio that is still
// mapped is an accounting violation (the kernel's "Bad page state").
void put_page(page* p);
long page_count(page* p);

void page_add_new_anon_rmap(page* p, vm_area_struct* vma, unsigned long address);
void page_add_anon_rmap(page* p, vm_area_struct* vma, unsigned long address);
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
// anonymous folio is allocated but mapped nowhere. Callers release their own
// references first.
void check_anon_accounting(mm_struct* mm);

}  // namespace mm
MMCHECK_ENGINE_END
