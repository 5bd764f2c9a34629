// See variants_catalog.h. Each row names its enumerator through the enum, so a
// renamed or removed variant stops this file compiling; a new enumerator needs
// a row here (and a line in model/README.md).
#include "model/mm/variants_catalog.h"

#include <array>

#include "model/mm/variants.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

namespace {

template <class E>
constexpr model_variant_entry row(E value, E default_value, const char* path, const char* name, const char* kernel,
                                  const char* changes) {
    return {path, name, kernel, changes, value == default_value};
}

constexpr model_variants defaults{};

#define MM_ROW(field, enum_type, value, kernel, changes) \
    row(enum_type::value, defaults.field, #field " (" #enum_type ")", #value, kernel, changes)

constexpr std::array catalog{
    MM_ROW(fault_pud, handle_mm_fault_pud, v5_4_no_recheck, "v5.4",
           "__handle_mm_fault(): no pud re-check after pmd_alloc(); a racing huge pud is used as a pmd table"),
    MM_ROW(fault_pud, handle_mm_fault_pud, fixed_625110b5e9da, "625110b5e9da (v5.5)",
           "pud_trans_unstable() after pmd_alloc(), retry"),
    MM_ROW(pte_fault, handle_pte_fault_form, v5_4, "v5.4",
           "plain reads of the pmd and pte; handle_pte_fault() trusts mmap_lock to keep the pte table"),
    MM_ROW(pte_fault, handle_pte_fault_form, v6_6, "v6.5; v6.6",
           "pmdp_get_lockless(); pte_offset_map_nolock() may fail and the fault is retried; ptep_get_lockless()"),
    MM_ROW(migrate_insert, migrate_vma_insert, v2017_no_recheck, "HMM migrate posting, 2017",
           "migrate_vma_insert_page(): pte_offset_map_lock() right after pte_alloc()"),
    MM_ROW(migrate_insert, migrate_vma_insert, v4_14_pmd_trans_unstable, "v4.14",
           "pmd_trans_unstable() after pte_alloc(), abort"),
    MM_ROW(migrate_insert, migrate_vma_insert, v6_5_pte_offset_map_lock, "v6.5 (0d940a9b270b)",
           "the 6.5+ pte_offset_map_lock() fails on a non-table pmd"),
    MM_ROW(migrate_insert, migrate_vma_insert, no_pte_none_recheck, "hypothetical",
           "no look at the pte under the ptl: installs over a page a racing fault mapped"),
    MM_ROW(migrate_collect, migrate_vma_collect, v4_14_early_npages, "8315ada7f095 (v4.14-rc1)",
           "migrate_vma_collect_hole(): src[npages++] before dst[npages]: dst[] written one past"),
    MM_ROW(migrate_collect, migrate_vma_collect, v4_14, "v4.14",
           "index fixed; pmd re-checks after a THP split, pre-6.5 pte_offset_map_lock()"),
    MM_ROW(migrate_collect, migrate_vma_collect, v6_6, "v6.6 (mm/migrate_device.c)",
           "pte_offset_map_lock() may fail: goto again"),
    MM_ROW(mm_pt_iter, hmm_mm_pt_iter, seed_2016_lock_recheck, "HMM series, 2016",
           "mm_pt_iter_page(): lockless look, pmd_lock(), re-check"),
    MM_ROW(mm_pt_iter, hmm_mm_pt_iter, no_recheck, "hypothetical", "pmd_lock() without the re-check"),
    MM_ROW(mm_pt_iter, hmm_mm_pt_iter, second_read, "hypothetical", "lockless, decodes a second read of *pmdp"),
    MM_ROW(mm_pt_iter, hmm_mm_pt_iter, lockless_snapshot, "hypothetical",
           "lockless, decodes the one snapshot it checked"),
    MM_ROW(walk_pud, pagewalk_pud, v2019_pud_trans_huge_lock, "v5.6 (walk_page_mapping() series, 2019)",
           "pud_entry() under pud_trans_huge_lock(); pmd_offset() re-reads *pud"),
    MM_ROW(walk_pud, pagewalk_pud, v6_6_action_again, "v6.6",
           "unlocked pud_entry() with ACTION_AGAIN; still re-reads *pud"),
    MM_ROW(walk_pud, pagewalk_pud, fixed_3b89863c3fa4, "3b89863c3fa4",
           "walk_pmd_range() takes one pudp_get() snapshot, ACTION_AGAIN unless it names a table"),
    MM_ROW(tracker_huge, dirty_tracker_huge, v2019_blocking_huge_fault, "2019 posting (rejected in review)",
           "huge entries cleaned without the ptl"),
    MM_ROW(tracker_huge, dirty_tracker_huge, ptl, "as merged (v5.6)", "huge entries cleaned under the ptl"),
    MM_ROW(gup, gup_fast, x86_v4_12_no_recheck, "arch/x86/mm/gup.c, v2.6.27..v4.12",
           "get_page() without re-check; relied on the TLB-flush IPI"),
    MM_ROW(gup, gup_fast, v6_1_pte_recheck, "v6.1 (re-check from 2667f50e8b81, v3.19)",
           "folio_try_get_rcu() and the pte re-check, no pmd re-check"),
    MM_ROW(gup, gup_fast, fixed_70cbc3cc78a9, "70cbc3cc78a9 (v6.2), as in v6.6", "pmd and pte re-check after the grab"),
    MM_ROW(gup_grab, gup_try_get_folio, v5_13_no_folio_recheck, "v5.13",
           "try_get_compound_head(): the head looked up before the reference, unchecked; VM_BUG_ON_PAGE() after "
           "the pte re-check"),
    MM_ROW(gup_grab, gup_try_get_folio, v6_6_folio_recheck, "c24d37322548 (v5.14), as in v6.6",
           "try_get_folio(): page_folio() re-checked after the reference, retry"),
    MM_ROW(retract, khugepaged_retract, v6_0_pte_free, "v6.0",
           "retract_page_tables(): mmap_lock trylock, pte_free() at once"),
    MM_ROW(retract, khugepaged_retract, fixed_2ba99c5e0881, "2ba99c5e0881 (v6.1)",
           "tlb_remove_table_sync_one() before pte_free()"),
    MM_ROW(retract, khugepaged_retract, v6_6_pte_free_defer, "1d65b771bc08 (v6.5), as in v6.6",
           "no mmap_lock, i_mmap_rwsem read, pte_free_defer()"),
    MM_ROW(move_pmd, mremap_normal_pmd, v6_6_no_recheck, "v6.6",
           "move_normal_pmd() moves *old_pmd without re-checking it under the locks"),
    MM_ROW(move_pmd, mremap_normal_pmd, fixed_6fa1066fc5d0, "6fa1066fc5d0 (v6.12)",
           "\"Racing with collapse?\" re-check, fall back to the pte path"),
    MM_ROW(mirror, mirror_driver, no_read_retry, "driver bug (seed threads 000, 002)",
           "maps an hmm_range_fault() snapshot without mmu_interval_read_retry()"),
    MM_ROW(mirror, mirror_driver, read_retry, "Documentation/mm/hmm.rst, v6.6",
           "mmu_interval_read_retry() under the driver lock, start over"),
    MM_ROW(notify, change_pte_notify, v2_6_32_no_bracket, "v2.6.32 to v3.8",
           "set_pte_at_notify() without invalidate_range_start/end"),
    MM_ROW(notify, change_pte_notify, v3_9_bracket, "v3.9, as in v6.6", "change_pte always inside the bracket"),
    MM_ROW(notify, change_pte_notify, seed_2019_use_change_pte, "2019 posting (seed thread 004)",
           "MMU_NOTIFIER_USE_CHANGE_PTE on KSM's brackets"),
    MM_ROW(notify, change_pte_notify, flag_on_cow, "hypothetical (2019 flag misused)",
           "the 2019 flag also on wp_page_copy(): a transition the posting does not allow"),
    MM_ROW(notify, change_pte_notify, no_notifier, "hypothetical (the model before S8)", "no notifier call at all"),
    MM_ROW(split_dirty, split_huge_pmd_dirty, v4_15_dirty_before_invalidate, "v4.15",
           "__split_huge_pmd_locked() reads pmd_dirty(*pmd) before pmdp_invalidate(): a dirty bit set between is lost"),
    MM_ROW(split_dirty, split_huge_pmd_dirty, v4_16_pmdp_invalidate_old,
           "v4.16 (\"mm: use updated pmdp_invalidate() interface to track dirty/accessed bits\"); v6.6",
           "dirty and write from the old pmd pmdp_invalidate() returns"),
    MM_ROW(fault_entry, user_addr_fault, v5_4_mmap_lock, "v5.4",
           "do_user_addr_fault(): find_vma() and handle_mm_fault() under mmap_lock for read"),
    MM_ROW(fault_entry, user_addr_fault, v6_6_per_vma_lock, "v6.6 (per-VMA lock, v6.4)",
           "lock_vma_under_rcu() and FAULT_FLAG_VMA_LOCK first; mmap_lock on VM_FAULT_RETRY or no VMA lock"),
    MM_ROW(detach, munmap_detach, no_vma_start_write, "hypothetical (v6.4 series without its munmap patch)",
           "munmap() detaches VMAs without vma_start_write() or the detached flag"),
    MM_ROW(detach, munmap_detach, v6_6_vma_start_write, "v6.4; v6.6",
           "vma_start_write() and vma_mark_detached() before the VMAs leave the tree"),
    MM_ROW(vma_read, vma_read_lock, no_seq_recheck, "hypothetical",
           "vma_start_read() does not re-check vm_lock_seq after down_read_trylock()"),
    MM_ROW(vma_read, vma_read_lock, no_detached_check, "hypothetical",
           "lock_vma_under_rcu() does not check vma->detached"),
    MM_ROW(vma_read, vma_read_lock, v6_6, "v6.4; v6.6", "sequence re-checked under the lock, detached VMAs retried"),
    MM_ROW(change_pmd, change_huge_pmd_update, v4_10_get_and_clear, "v4.10",
           "change_huge_pmd(): pmdp_huge_get_and_clear_notify() then set_pmd_at(): the pmd is none in between"),
    MM_ROW(change_pmd, change_huge_pmd_update, fixed_ced108037c2a, "ced108037c2a (v4.11); v6.6",
           "pmdp_invalidate(): the pmd stays huge for lockless readers while it is rewritten"),
    MM_ROW(devpriv_fault, device_private_fault, v6_0_no_ref_migrate_to_ram, "v6.0",
           "do_swap_page() calls migrate_to_ram() with no reference or pte re-check: the page can be freed under it"),
    MM_ROW(devpriv_fault, device_private_fault, fixed_16ce101db85d, "16ce101db85d (v6.1); v6.6",
           "pte_same() re-check and get_page() under the ptl before migrate_to_ram(); fault_page passed to migrate_vma"),
    MM_ROW(fork_lock, fork_vma_lock, v6_4_no_vma_lock_on_fork, "v6.4 (per-VMA locks, before fb49c455323f)",
           "dup_mmap() copies a VMA under mmap_lock only: a fault under the VMA lock COWs a page fork just shared"),
    MM_ROW(fork_lock, fork_vma_lock, fixed_fb49c455323f, "fb49c455323f (v6.5-rc1, 6.4.y); v6.6",
           "dup_mmap() vma_start_write()s each parent VMA: its faults wait until after flush_tlb_mm()"),
    MM_ROW(numa_fault, numa_hinting_fault, no_same_recheck, "hypothetical",
           "do_numa_page()/do_huge_pmd_numa_page() restore the entry read before the lock, unchecked"),
    MM_ROW(numa_fault, numa_hinting_fault, v6_6, "v6.6",
           "pte_same()/pmd_same() under the page-table lock before the PROT_NONE entry is made accessible again"),
    MM_ROW(table_free, tlb_table_free, at_once_without_ipi, "hypothetical",
           "tlb_flush_mmu() frees gathered page tables at once after a flush that waits for no GUP-fast walker"),
    MM_ROW(table_free, tlb_table_free, rcu_table_free, "v5.4 CONFIG_HAVE_RCU_TABLE_FREE; v6.6",
           "gathered page tables are freed after an RCU grace period (tlb_remove_table())"),
};

#undef MM_ROW

[[maybe_unused]] const bool registered = (register_model_variants(catalog), true);

}  // namespace

}  // namespace mm
MMCHECK_ENGINE_END
