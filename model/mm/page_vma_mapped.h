// The rmap walk that finds where a VMA maps a folio: page_vma_mapped_walk()
// (mm/page_vma_mapped.c, include/linux/rmap.h v6.6).
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

inline constexpr unsigned PVMW_SYNC = 1u << 0;       // look under the ptl, never a premature "not mapped"
inline constexpr unsigned PVMW_MIGRATION = 1u << 1;  // look for migration entries (pmd-level ones in this model)

// struct page_vma_mapped_walk: pfn/nr_pages/pgoff name the folio, address where
// to start (page_address_in_vma()); on success pmd, pte and ptl say where
// it is mapped and what is held (pte null: mapped by the pmd, ptl the pmd lock).
struct page_vma_mapped_walk {
    unsigned long pfn = 0;
    unsigned long nr_pages = 0;
    unsigned long pgoff = 0;  // pgoff_t
    vm_area_struct* vma = nullptr;
    unsigned long address = 0;
    pmdp_t pmd{};
    ptep_t pte{};
    kernel::spinlock_t* ptl = nullptr;
    unsigned flags = 0;
};

// DEFINE_PAGE_VMA_WALK() / DEFINE_FOLIO_VMA_WALK(): the walk over one page, or
// over the whole folio `p` is the head of.
struct page_vma_mapped_walk page_vma_walk(page* p, vm_area_struct* vma, unsigned long address, unsigned flags);
struct page_vma_mapped_walk folio_vma_walk(page* folio, vm_area_struct* vma, unsigned long address, unsigned flags);

// page_vma_mapped_walk() — mm/page_vma_mapped.c v6.6: the next place the vma
// maps the folio, returned locked; false (everything released) when none is left.
bool page_vma_mapped_walk(struct page_vma_mapped_walk* pvmw);
// page_vma_mapped_walk_done() — include/linux/rmap.h v6.6: stop early, release.
void page_vma_mapped_walk_done(struct page_vma_mapped_walk* pvmw);

// page_address_in_vma() — mm/rmap.c v6.6, anonymous pages: from page->index;
// ~0ul (-EFAULT) if outside the vma.
unsigned long page_address_in_vma(page* p, vm_area_struct* vma);

}  // namespace mm
MMCHECK_ENGINE_END
