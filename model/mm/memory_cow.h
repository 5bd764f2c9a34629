// Copy-on-write with its mmu notifiers: do_wp_page()'s copy path and
// wp_page_copy() of mm/memory.c v6.6, for scenarios with a secondary MMU.
// model/mm/memory_anon.cpp has the same path without notifiers (the THP
// scenarios need none, and its do_wp_page() is what handle_mm_fault() calls);
// scenarios that need the notifiers enter this one through cow::handle_write_fault().
// How the notifier is used is a variant (variants.h change_pte_notify).
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm::cow {

// handle_pte_fault()'s write-protect branch (mm/memory.c v6.6) for a write
// fault on a present read-only pte of a private anonymous VMA; the caller holds
// mmap_lock for read. Left out: the walk's allocations (the tables exist).
vm_fault_t handle_write_fault(vm_area_struct* vma, unsigned long address);
// do_wp_page() — mm/memory.c v6.6, copy only (no reuse: the model enters it
// for the zero page and KSM pages, which are never reused).
vm_fault_t do_wp_page(vm_fault* vmf);
vm_fault_t wp_page_copy(vm_fault* vmf, page* old_page);

}  // namespace mm::cow
MMCHECK_ENGINE_END
