// The kernel versions a run's paths follow. Each enumerator names the version or
// commit whose behaviour it models; a scenario variant picks one per path, so one
// scenario shows a bug on the old code and its absence on the fixed code.
#pragma once

#include "model/kernel/detail/engine_ns.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// __handle_mm_fault()'s pud-level path.
enum class handle_mm_fault_pud {
    // v5.4: after pmd_alloc() the pud is not re-checked; a huge pud faulted in by
    // another thread since the pud_none() check is used as a pmd table.
    v5_4_no_recheck,
    // 625110b5e9da (v5.5): pud_trans_unstable() after pmd_alloc(), goto retry_pud.
    fixed_625110b5e9da,
};

// __handle_mm_fault()'s pmd level and handle_pte_fault() (mm/memory.c).
enum class handle_pte_fault_form {
    // v5.4: *vmf.pmd read plainly; handle_pte_fault() relies on mmap_lock for
    // the pmd (pmd_devmap_trans_unstable(), then the pre-6.5 pte_offset_map(),
    // which cannot fail) and reads the pte plainly.
    v5_4,
    // v6.6: pmdp_get_lockless() of the pmd; handle_pte_fault() maps the table
    // with the 6.5+ pte_offset_map_nolock(), which fails (retry the fault) if
    // the pmd no longer names a table, and reads the pte with ptep_get_lockless().
    v6_6,
};

// migrate_vma_insert_page() after pte_alloc() (seed thread 003, 2017).
enum class migrate_vma_insert {
    // HMM migrate patch as first posted (2017): pte_offset_map_lock() right after
    // pte_alloc(); a huge pmd installed meanwhile is walked as a pte table.
    v2017_no_recheck,
    // As merged in v4.14 (after review in the seed thread): pmd_trans_unstable()
    // after pte_alloc(), abort if the pmd became huge.
    v4_14_pmd_trans_unstable,
    // v6.5+ (mm/migrate_device.c): pte_offset_map_lock() itself fails on a
    // non-table pmd and the insert aborts.
    v6_5_pte_offset_map_lock,
    // Hypothetical: v6.6 without the look at the pte under the ptl; trusts the
    // hole migrate_vma_collect() saw and installs over whatever a racing fault
    // mapped there since.
    no_pte_none_recheck,
};

// migrate_vma_setup()'s collect walk (mm/migrate.c v4.14, mm/migrate_device.c
// v6.6; seed thread 003, the 2017 HMM migrate posting).
enum class migrate_vma_collect {
    // 8315ada7f095 as merged for v4.14-rc1: migrate_vma_collect_hole() does
    // src[npages++] before dst[npages], so the hole's dst[] is never cleared and
    // the last hole clears one entry past the arrays. Fixed before v4.14 (Mark
    // Hairgrove, "mm/migrate: fix indexing bug (off by one) and avoid out of
    // bound access"; also posted by Reza Arbab, "mm/migrate: Fix early increment
    // of migrate->npages", linux-mm 2017-10-02).
    v4_14_early_npages,
    // v4.14 as released: after a THP split, pmd_trans_unstable()/pmd_none()/
    // pmd_bad() re-checks, then the pre-6.5 pte_offset_map_lock().
    v4_14,
    // v6.6: the 6.5+ pte_offset_map_lock() fails on a non-table pmd: goto again.
    v6_6,
};

// The HMM mm_pt_iter_page() pmd step (seed thread 000, HMM series 2015-2016).
enum class hmm_mm_pt_iter {
    // The seed's form: lockless pmd_trans_huge(), pmd_lock(), re-check; a pmd
    // that stopped being huge was "morphing from thp to regular, try again".
    seed_2016_lock_recheck,
    // pmd_lock() but no re-check: decodes whatever *pmdp holds once locked.
    no_recheck,
    // Lockless, decoding a second read of *pmdp instead of the checked value.
    second_read,
    // Lockless, decoding the one snapshot it checked (pmdp_get_lockless()).
    lockless_snapshot,
};

// walk_pud_range()/walk_pmd_range() (mm/pagewalk.c; seed thread 001, review of
// walk_page_mapping(), 2019).
enum class pagewalk_pud {
    // The 2019 form (T. Hellstrom's walk_page_mapping() series on v5.4, merged
    // v5.6): pud_entry() only under pud_trans_huge_lock(); otherwise
    // split_huge_pud(), `if (pud_none(*pud)) goto again`, and walk_pmd_range(),
    // whose pmd_offset() re-reads *pud.
    v2019_pud_trans_huge_lock,
    // v6.6: pud_entry() unlocked with ACTION_SUBTREE/CONTINUE/AGAIN, but still
    // split_huge_pud(), pud_none() re-check, then pmd_offset() of a re-read *pud.
    v6_6_action_again,
    // 3b89863c3fa4 "mm/pagewalk: fix race between concurrent split and refault":
    // walk_pmd_range() takes one pudp_get() snapshot and, unless it names a pmd
    // table, returns ACTION_AGAIN instead of descending.
    fixed_3b89863c3fa4,
};

// How the dirty-tracking walker's pud_entry/pmd_entry treat a huge entry
// (model/drivers/dirty_tracker.cpp; seed thread 001).
enum class dirty_tracker_huge {
    // As argued in the 2019 posting: no page-table lock, since the driver's
    // huge_fault() blocks while the walk runs; the entry is read once and
    // cleaned from that snapshot. Rejected in review: huge entries also change
    // through huge_pmd_set_accessed() and splits, which never call huge_fault().
    v2019_blocking_huge_fault,
    // pmd_trans_huge_lock()/pud_trans_huge_lock(): read and clean under the ptl.
    ptl,
};

// GUP-fast's pte step (mm/gup.c gup_pte_range(); arch/x86/mm/gup.c before v4.13).
enum class gup_fast {
    // arch/x86/mm/gup.c (2008 to v4.12): get_page() on the pte's page, no
    // re-check. Correct only where the TLB-flush IPI waits for the
    // interrupts-off walker; the model's flushes do not wait (see gup.h).
    x86_v4_12_no_recheck,
    // v6.1: folio_try_get_rcu() then the pte re-check of 2667f50e8b81 (v3.19),
    // but no pmd re-check.
    v6_1_pte_recheck,
    // 70cbc3cc78a9 (v6.2) as in v6.6: re-check the pmd and the pte after the grab.
    fixed_70cbc3cc78a9,
};

// How GUP-fast references the folio of the page a pte maps (mm/gup.c
// try_get_folio(); try_get_compound_head() before v5.17).
enum class gup_try_get_folio {
    // v5.13 try_get_compound_head(): the head looked up before the reference
    // is returned unchecked. A split_huge_page() in between leaves the
    // reference on the former head, no longer the page's folio; v5.13's
    // gup_pte_range() then hit VM_BUG_ON_PAGE(compound_head(page) != head).
    v5_13_no_folio_recheck,
    // c24d37322548 (v5.14) in v6.6's form: after the reference, page_folio()
    // must still be the folio referenced, else the reference is dropped and
    // the folio looked up again (v5.14 failed the walk instead of retrying).
    v6_6_folio_recheck,
};

// How khugepaged frees the pte table of a collapsed file THP
// (retract_page_tables(), mm/khugepaged.c).
enum class khugepaged_retract {
    // v6.0: mmap_write_trylock(), pmdp_collapse_flush(), pte_free() at once:
    // a GUP-fast walker still inside the table reads freed memory.
    v6_0_pte_free,
    // 2ba99c5e0881 (v6.1): tlb_remove_table_sync_one() before pte_free().
    fixed_2ba99c5e0881,
    // 1d65b771bc08 (v6.5) as in v6.6: no mmap_lock, i_mmap_rwsem for read,
    // pte_free_defer(). Races move_normal_pmd() (see mremap_normal_pmd).
    v6_6_pte_free_defer,
};

// mremap's move_normal_pmd() (mm/mremap.c).
enum class mremap_normal_pmd {
    // v6.6: moves whatever *old_pmd holds once the locks are taken; a pmd that
    // retract_page_tables() cleared meanwhile is populated as pfn 0's table.
    v6_6_no_recheck,
    // 6fa1066fc5d0 (v6.12): "Racing with collapse?" re-check under the locks.
    fixed_6fa1066fc5d0,
};

// How a secondary-MMU driver uses an hmm_range_fault() snapshot
// (model/drivers/mirror.cpp; seed threads 000 and 002, Documentation/mm/hmm.rst).
enum class mirror_driver {
    // Takes its lock and maps the pfns without mmu_interval_read_retry(): a
    // snapshot taken before a concurrent invalidation is mapped after it.
    no_read_retry,
    // As documented: under its lock, mmu_interval_read_retry() and start over
    // if the interval's sequence moved.
    read_retry,
};

// How KSM's write_protect_page()/replace_page() and COW's wp_page_copy() tell
// secondary MMUs that a pte changes (mm/ksm.c, mm/memory.c; seed thread 004).
enum class change_pte_notify {
    // v2.6.32 (set_pte_at_notify(), 2009) to v3.8: change_pte with no
    // invalidate_range_start/end around it.
    v2_6_32_no_bracket,
    // v3.9 ("mm: wrap calls to set_pte_at_notify with invalidate_range_start
    // and invalidate_range_end") as in v6.6: always bracketed, no flag.
    v3_9_bracket,
    // The seed's 2019 posting: MMU_NOTIFIER_USE_CHANGE_PTE on KSM's brackets
    // (rw->ro same pfn, ro->ro new pfn), so a subscriber may keep its entry.
    seed_2019_use_change_pte,
    // The 2019 flag also on wp_page_copy(): a read-only page replaced by a
    // writable copy (new pfn), a transition the posting does not allow.
    flag_on_cow,
    // Hypothetical: no notifier call at all (plain set_pte_at(), no bracket), as
    // the model's COW had it before it served a secondary MMU.
    no_notifier,
};

// Where __split_huge_pmd_locked() takes the huge pmd's dirty bit from
// (mm/huge_memory.c; Kirill Shutemov's "Do not lose dirty bit on THP pages").
enum class split_huge_pmd_dirty {
    // v4.15 and before: pmd_dirty(*pmd) read before the non-atomic
    // pmdp_invalidate(), so a dirty bit the MMU sets in between is lost.
    v4_15_dirty_before_invalidate,
    // v4.16 ("mm: use updated pmdp_invalidate() interface to track
    // dirty/accessed bits"), as in v6.6: from the old pmd the atomic
    // pmdp_invalidate() returns.
    v4_16_pmdp_invalidate_old,
};

// The user page-fault entry (arch/x86/mm/fault.c do_user_addr_fault()).
enum class user_addr_fault {
    // v5.4: find_vma() and handle_mm_fault() under mmap_lock for read.
    v5_4_mmap_lock,
    // v6.6: lock_vma_under_rcu() and handle_mm_fault(FAULT_FLAG_VMA_LOCK)
    // first; on VM_FAULT_RETRY or no VMA lock, the mmap_lock form.
    v6_6_per_vma_lock,
};

// How munmap() detaches the VMAs it removes (mm/mmap.c, the per-VMA lock).
enum class munmap_detach {
    // Hypothetical: the v6.4 per-VMA lock series (Suren Baghdasaryan) without
    // its patch "mm: write-lock VMAs before removing them from VMA tree" and
    // without the detached flag ("mm: introduce vma detached flag"): the VMAs
    // leave the tree unlocked, so a fault that read-locked one keeps using its
    // page tables while munmap() frees them.
    no_vma_start_write,
    // v6.4+ as in v6.6: vma_start_write(), vma_mark_detached(), then removal
    // from the tree; the downgrade to read unlocks them, still detached.
    v6_6_vma_start_write,
};

// The reader side of the per-VMA lock (include/linux/mm.h vma_start_read(),
// mm/memory.c lock_vma_under_rcu()).
enum class vma_read_lock {
    // Hypothetical: vma_start_read() trusts its lockless look at the sequence and
    // does not check it again once down_read_trylock() succeeded; a
    // vma_start_write() that set it and dropped the lock in between is missed.
    no_seq_recheck,
    // Hypothetical: lock_vma_under_rcu() without the detached check; a VMA
    // found in the tree before munmap() removed it is locked once the downgrade
    // unlocked it, and used.
    no_detached_check,
    // v6.6: both checks (the detached flag since v6.4, "mm: introduce vma
    // detached flag").
    v6_6,
};

// How change_huge_pmd() (mprotect(), NUMA hinting) rewrites a huge pmd under
// its lock (mm/huge_memory.c; ced108037c2a "thp: fix MADV_DONTNEED vs. numa
// balancing race").
enum class change_huge_pmd_update {
    // v4.10 and before: pmdp_huge_get_and_clear_notify(), then set_pmd_at() of
    // the modified value. NUMA hinting does it under mmap_lock for read, so a
    // MADV_DONTNEED zap_pmd_range() sees pmd_none() in between and skips the
    // THP, which stays mapped after madvise() returns.
    v4_10_get_and_clear,
    // ced108037c2a (v4.11) as in v6.6: pmdp_invalidate() (pmdp_invalidate_ad()
    // in v6.6), which keeps the pmd huge for lockless readers.
    fixed_ced108037c2a,
};

// do_swap_page()'s device-private branch (mm/memory.c; 16ce101db85d
// "mm/memory.c: fix race when faulting a device private page", v6.1).
enum class device_private_fault {
    // v6.0 and before: pgmap->ops->migrate_to_ram() is called on the page the
    // lockless pte read named, with no reference and no pte re-check, so a
    // racing migration back to RAM can free the page (to the driver) under the
    // callback, which reads page->zone_device_data; drivers get no fault_page.
    v6_0_no_ref_migrate_to_ram,
    // 16ce101db85d (v6.1) as in v6.6: pte_offset_map_lock(), pte_same() re-check,
    // get_page() under the ptl, migrate_to_ram(), put_page(); migrate_vma gets
    // the faulting page as fault_page and expects its extra reference.
    fixed_16ce101db85d,
};

// Whether fork()'s dup_mmap() write-locks each parent VMA before copying it
// (kernel/fork.c; fb49c455323f "fork: lock VMAs of the parent process when
// forking", Suren Baghdasaryan, v6.5-rc1, also in 6.4.y stable).
enum class fork_vma_lock {
    // v6.4 (per-VMA locks, no fix yet): dup_mmap() holds only the parent's
    // mmap_lock, which a fault under lock_vma_under_rcu() does not take, so the
    // parent's write fault can COW a page fork has just shared while another
    // CPU still writes it through a writable TLB entry that fork flushes only
    // at the end (flush_tlb_mm()): that CPU's stores after the copy are lost
    // to the parent and land in the child's page.
    v6_4_no_vma_lock_on_fork,
    // fb49c455323f (v6.5) as in v6.6: vma_start_write() on every parent VMA;
    // faults wait until mmap_write_unlock(), after flush_tlb_mm().
    fixed_fb49c455323f,
};

// NUMA hinting faults, do_numa_page() (mm/memory.c) and do_huge_pmd_numa_page()
// (mm/huge_memory.c), on an entry change_prot_numa() made PROT_NONE.
enum class numa_hinting_fault {
    // Hypothetical: the entry the fault read before taking the page-table
    // lock is restored without the pte_same()/pmd_same() look under the lock,
    // so a zap (or any change) since is undone.
    no_same_recheck,
    // v6.6: pte_same()/pmd_same() under the lock, else return and let the
    // access fault again.
    v6_6,
};

// How munmap()'s and exit's mmu_gather frees page tables (tlb_table_flush(),
// mm/mmu_gather.c), which GUP-fast walks with interrupts off and no lock.
enum class tlb_table_free {
    // Hypothetical: an architecture whose TLB flush waits for no interrupts-off
    // walker (no IPI) and that frees the tables right after it, without
    // CONFIG_MMU_GATHER_RCU_TABLE_FREE: GUP-fast reads a freed table.
    at_once_without_ipi,
    // v5.4 CONFIG_HAVE_RCU_TABLE_FREE (CONFIG_MMU_GATHER_RCU_TABLE_FREE since
    // v5.8; v6.6): freed after an RCU grace period, which waits for the walker.
    rcu_table_free,
};

struct model_variants {
    handle_mm_fault_pud fault_pud = handle_mm_fault_pud::fixed_625110b5e9da;
    handle_pte_fault_form pte_fault = handle_pte_fault_form::v6_6;
    migrate_vma_insert migrate_insert = migrate_vma_insert::v6_5_pte_offset_map_lock;
    migrate_vma_collect migrate_collect = migrate_vma_collect::v6_6;
    hmm_mm_pt_iter mm_pt_iter = hmm_mm_pt_iter::seed_2016_lock_recheck;
    pagewalk_pud walk_pud = pagewalk_pud::fixed_3b89863c3fa4;
    dirty_tracker_huge tracker_huge = dirty_tracker_huge::ptl;
    gup_fast gup = gup_fast::fixed_70cbc3cc78a9;
    gup_try_get_folio gup_grab = gup_try_get_folio::v6_6_folio_recheck;
    khugepaged_retract retract = khugepaged_retract::v6_6_pte_free_defer;
    mremap_normal_pmd move_pmd = mremap_normal_pmd::fixed_6fa1066fc5d0;
    mirror_driver mirror = mirror_driver::read_retry;
    change_pte_notify notify = change_pte_notify::v3_9_bracket;
    split_huge_pmd_dirty split_dirty = split_huge_pmd_dirty::v4_16_pmdp_invalidate_old;
    user_addr_fault fault_entry = user_addr_fault::v6_6_per_vma_lock;
    munmap_detach detach = munmap_detach::v6_6_vma_start_write;
    vma_read_lock vma_read = vma_read_lock::v6_6;
    change_huge_pmd_update change_pmd = change_huge_pmd_update::fixed_ced108037c2a;
    device_private_fault devpriv_fault = device_private_fault::fixed_16ce101db85d;
    fork_vma_lock fork_lock = fork_vma_lock::fixed_fb49c455323f;
    numa_hinting_fault numa_fault = numa_hinting_fault::v6_6;
    tlb_table_free table_free = tlb_table_free::rcu_table_free;
};

}  // namespace mm
MMCHECK_ENGINE_END
