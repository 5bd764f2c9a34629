// The HMM mm page-table iterator of Jérôme Glisse's HMM series (mm/hmm.c,
// "HMM: add mm page table iterator helpers", 2015-2016; never merged): looks up
// the page behind an address from an mmu notifier callback, keeping the pte
// table mapped across calls.
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

struct mm_pt_iter {
    mm_struct* mm = nullptr;
    ptep_t ptep;                 // first pte of the cached table; .table == nullptr: none
    unsigned long addr = ~0ul;   // start of the range the cached table covers
};

void mm_pt_iter_init(mm_pt_iter* pt_iter, mm_struct* mm);
void mm_pt_iter_fini(mm_pt_iter* pt_iter);
page* mm_pt_iter_page(mm_pt_iter* pt_iter, unsigned long addr);

}  // namespace mm
MMCHECK_ENGINE_END
