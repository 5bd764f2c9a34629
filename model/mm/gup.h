// GUP-fast: get_user_pages_fast() and its lockless walk (mm/gup.c, v6.6), and the
// interrupts-off rule that keeps the tables it walks alive.
//
// Simplification, stated once here: the model has no interrupts and no TLB.
// local_irq_save()/local_irq_restore() are an RCU read-side section, and a page
// table freed while a walker may be inside it waits for it only if the freeing
// path says so: pte_free_defer() (call_rcu), tlb_remove_table_sync_one()
// (synchronize_rcu, standing for the IPI that cannot be taken with interrupts
// off) or tlb_flush_mmu()'s tables (call_rcu, variant table_free). The model's
// TLB flushes (pmdp_collapse_flush(), tlb_flush_mmu()) themselves never wait, as
// on architectures whose flush sends no IPI (arm64's broadcast TLBI, x86 with
// paravirt flushes), which is why those free page tables through RCU: exactly
// where GUP-fast's re-checks matter.
// Left out: the slow-path fallback (internal_get_user_pages_fast() then calls
// get_user_pages_unlocked() for what the fast walk did not pin), FOLL_PIN's
// write_protect_seq, devmap and hugepd entries, secretmem, and
// gup_must_unshare() (false in v6.6 unless FOLL_PIN without FOLL_WRITE, and the
// model has no FOLL_PIN).
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

inline constexpr unsigned FOLL_WRITE = 0x01;
inline constexpr unsigned FOLL_GET = 0x04;

// local_irq_save()/local_irq_restore(): see the file comment.
void local_irq_save();
void local_irq_restore();
// tlb_remove_table_sync_one() — mm/mmu_gather.c v6.6: wait until no CPU is in an
// interrupts-off walk that began before the call.
void tlb_remove_table_sync_one();

// get_user_pages_fast() — mm/gup.c v6.6, fast path only (see the file comment):
// pins up to nr_pages from start with FOLL_GET, stores them in pages and
// returns how many it pinned (-EFAULT for a range past TASK_SIZE). Release each
// with put_page().
int get_user_pages_fast(mm_struct* mm, unsigned long start, int nr_pages, unsigned gup_flags, page** pages);

}  // namespace mm
MMCHECK_ENGINE_END
