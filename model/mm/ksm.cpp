// See ksm.h: mm/ksm.c v6.6, finding the page's pte with page_vma_mapped_walk()
// (model/mm/page_vma_mapped.cpp) as the kernel does.
#include "model/mm/ksm.h"

#include "model/mm/huge_memory.h"
#include "model/mm/memory.h"
#include "model/mm/mmu_notifier.h"
#include "model/mm/page_vma_mapped.h"
#include "model/mm/pagemap.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/vma_lock.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

constexpr int EFAULT_RET = -14;

// Whether this path's change_pte sits in a bracket, and with which flags
// (variants.h change_pte_notify; the 2019 posting flags both KSM brackets).
bool ksm_brackets(const mm_struct* mm) {
    const change_pte_notify n = mm->variants.notify;
    return n != change_pte_notify::v2_6_32_no_bracket && n != change_pte_notify::no_notifier;
}
unsigned ksm_bracket_flags(const mm_struct* mm) {
    const change_pte_notify n = mm->variants.notify;
    return n == change_pte_notify::seed_2019_use_change_pte || n == change_pte_notify::flag_on_cow
               ? MMU_NOTIFIER_USE_CHANGE_PTE
               : 0;
}
void notify_set_pte(mm_struct* mm, unsigned long addr, ptep_t ptep, pte_t pte) {
    if (mm->variants.notify == change_pte_notify::no_notifier)
        set_pte_at(mm, addr, ptep, pte);
    else
        set_pte_at_notify(mm, addr, ptep, pte);
}

// replace_page()'s part under the pte lock: re-check the pte, then switch it.
int replace_pte(vm_area_struct* vma, pmdp_t pmd, unsigned long addr, page* page, struct page* kpage, pte_t orig_pte) {
    mm_struct* mm = vma->vm_mm;
    spinlock_t* ptl = nullptr;
    const ptep_t ptep = v6_5::pte_offset_map_lock(mm, pmd, addr, &ptl);
    if (!ptep.table) return EFAULT_RET;
    if (!pte_same(ptep_get(ptep), orig_pte)) {
        v6_5::pte_unmap_unlock(ptep, ptl);
        return EFAULT_RET;
    }
    get_page(kpage);
    page_add_anon_rmap(kpage, vma, addr);
    const pte_t newpte = pfn_pte(page_to_pfn(kpage), vma_anon_page_prot(vma));  // mk_pte()
    // No need to notify (says the kernel): a read-only page is replaced by a
    // read-only page with the same content.
    ptep_get_and_clear(mm, addr, ptep);  // ptep_clear_flush()
    notify_set_pte(mm, addr, ptep, newpte);
    page_remove_rmap(page, vma, false);
    put_page(page);
    v6_5::pte_unmap_unlock(ptep, ptl);
    return 0;
}

}  // namespace

// write_protect_page() — mm/ksm.c v6.6 (bracket and flag per the variant).
// Left out: mm_tlb_flush_pending() (no TLB), the swap cache, set_page_dirty().
int write_protect_page(vm_area_struct* vma, page* page, pte_t* orig_pte) {
    mm_struct* mm = vma->vm_mm;
    struct page_vma_mapped_walk pvmw = page_vma_walk(page, vma, 0, 0);  // DEFINE_PAGE_VMA_WALK()
    int err = EFAULT_RET;
    mmu_notifier_range range;
    pvmw.address = page_address_in_vma(page, vma);
    if (pvmw.address == ~0ul) return err;
    mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, ksm_bracket_flags(mm), vma, mm, pvmw.address,
                            pvmw.address + PAGE_SIZE);
    if (ksm_brackets(mm)) mmu_notifier_invalidate_range_start(&range);
    if (!page_vma_mapped_walk(&pvmw)) goto out_mn;
    if (!pvmw.pte.table) {
        report_violation(violation_kind::assertion, "write_protect_page: Unexpected PMD mapping?");  // WARN_ONCE
        goto out_unlock;
    }
    {
        pte_t entry = ptep_get(pvmw.pte);
        const bool anon_exclusive = PageAnonExclusive(page);
        if (pte_write(entry) || pte_dirty(entry) || anon_exclusive) {
            // Clear the pte and flush before the count check, so that no
            // O_DIRECT (GUP-fast) can start after or during the check.
            entry = ptep_get_and_clear(mm, pvmw.address, pvmw.pte);  // ptep_clear_flush()
            /* Check that no O_DIRECT or similar I/O is in progress on the page */
            if (page_mapcount(page) + 1 != page_count(page)) {
                set_pte_at(mm, pvmw.address, pvmw.pte, entry);
                goto out_unlock;
            }
            /* See page_try_share_anon_rmap(): clear PTE first. */
            if (anon_exclusive && page_try_share_anon_rmap(page)) {
                set_pte_at(mm, pvmw.address, pvmw.pte, entry);
                goto out_unlock;
            }
            entry = pte_wrprotect(pte_mkclean(entry));
            notify_set_pte(mm, pvmw.address, pvmw.pte, entry);
        }
        *orig_pte = entry;
        err = 0;
    }
out_unlock:
    page_vma_mapped_walk_done(&pvmw);
out_mn:
    if (ksm_brackets(mm)) mmu_notifier_invalidate_range_end(&range);
    return err;
}

// replace_page() — mm/ksm.c v6.6 (kpage a KSM page, not the zero page).
int replace_page(vm_area_struct* vma, page* page, struct page* kpage, pte_t orig_pte) {
    mm_struct* mm = vma->vm_mm;
    mmu_notifier_range range;
    pmdp_t pmd;
    const unsigned long addr = page_address_in_vma(page, vma);
    if (addr == ~0ul || !mm_find_pmd(mm, addr, &pmd)) return EFAULT_RET;
    // Some THP functions clear and set a pmd without the anon_vma lock, so look
    // for a genuine pmd: present and not a THP.
    const pmd_t pmde = pmdp_get_lockless(pmd);
    if (!pmd_present(pmde) || pmd_trans_huge(pmde)) return EFAULT_RET;
    mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, ksm_bracket_flags(mm), vma, mm, addr, addr + PAGE_SIZE);
    if (ksm_brackets(mm)) mmu_notifier_invalidate_range_start(&range);
    const int err = replace_pte(vma, pmd, addr, page, kpage, orig_pte);
    if (ksm_brackets(mm)) mmu_notifier_invalidate_range_end(&range);
    return err;
}

int try_to_merge_one_page(vm_area_struct* vma, page* page, struct page* kpage) {
    pte_t orig_pte{};
    int err = EFAULT_RET;
    if (page == kpage) return 0; /* ksm page forked */
    if (compound_head(page)->use != page_use::anon) return err;  // !PageAnon(page)
    // We need the page lock to read a stable PageSwapCache in write_protect_page().
    // trylock_page() locks the page's folio: a THP's lock is its head's.
    if (!trylock_page(compound_head(page))) return err;
    // A THP is split first (PageTransCompound()); afterwards the lock held is
    // page's own. The model's rmap walk is (vma, address) (migrate.h): the
    // folio's first page is where the vma maps it.
    if (compound_order(page) > 0 &&
        split_huge_page(page, vma, page_address_in_vma(compound_head(page), vma)) != 0)
        goto out_unlock;
    // If this anonymous page is mapped only here, its pte may need to be
    // write-protected. If it's mapped elsewhere, all of its ptes are already
    // write-protected. Either way the page count must not be raised.
    if (write_protect_page(vma, page, &orig_pte) == 0) {
        if (!kpage) {
            // While we hold the page lock, upgrade page from PageAnon+anon_vma
            // to PageKsm+NULL stable_node (set_page_stable_node()); the
            // accessed and dirty marks are left out (no reclaim).
            page->ksm = true;
            err = 0;
        } else {
            err = replace_page(vma, page, kpage, orig_pte);  // pages_identical(): always
        }
    }
out_unlock:
    unlock_page(compound_head(page));
    return err;
}

namespace {

// find_mergeable_vma() — mm/ksm.c v6.6.
vm_area_struct* find_mergeable_vma(mm_struct* mm, unsigned long addr) {
    vm_area_struct* vma = find_vma(mm, addr);  // vma_lookup()
    if (!vma || vma->vm_start > addr) return nullptr;
    if (!(vma->vm_flags & VM_MERGEABLE) || !vma->anon_vma) return nullptr;
    return vma;
}

// break_ksm_pmd_entry() — mm/ksm.c v6.6: does the pte at addr map a KSM page?
// A huge pmd maps none (pte_offset_map_lock() fails on it); migration entries
// and the KSM zero page are left out (the model has neither here).
bool maps_ksm_page(vm_area_struct* vma, unsigned long addr) {
    pmdp_t pmd;
    if (!mm_find_pmd(vma->vm_mm, addr, &pmd)) return false;
    spinlock_t* ptl = nullptr;
    const ptep_t pte = v6_5::pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
    if (!pte.table) return false;
    const pte_t ptent = ptep_get(pte);
    page* p = pte_present(ptent) ? vm_normal_page(vma, addr, ptent) : nullptr;
    const bool ksm_page = p && PageKsm(p);
    v6_5::pte_unmap_unlock(pte, ptl);
    return ksm_page;
}

// break_ksm() — mm/ksm.c v6.6: unshare-fault until no KSM page is mapped at
// addr; the copy is exclusive and read-only, writable at the next write fault
// without another copy. With the v5.4 fault path (variants.h) it write-faults,
// as break_ksm() did before v6.1, and the copy is writable.
int break_ksm(vm_area_struct* vma, unsigned long addr, bool lock_vma) {
    if (lock_vma) vma_start_write(vma);
    const unsigned flags =
        vma->vm_mm->variants.pte_fault == handle_pte_fault_form::v5_4 ? FAULT_FLAG_WRITE : FAULT_FLAG_UNSHARE;
    vm_fault_t ret = 0;
    do {
        if (!maps_ksm_page(vma, addr)) return 0;  // walk_page_range_vma(&break_ksm_ops)
        ret = handle_mm_fault(vma, addr, flags);  // | FAULT_FLAG_REMOTE
    } while (!(ret & (VM_FAULT_SIGBUS | VM_FAULT_OOM)));
    return (ret & VM_FAULT_OOM) ? -12 : EFAULT_RET;  // -ENOMEM, -EFAULT
}

// unmerge_ksm_pages() — mm/ksm.c v6.6 (no signals, no exiting mm).
int unmerge_ksm_pages(vm_area_struct* vma, unsigned long start, unsigned long end, bool lock_vma) {
    int err = 0;
    for (unsigned long addr = start; addr < end && !err; addr += PAGE_SIZE) err = break_ksm(vma, addr, lock_vma);
    return err;
}

// break_cow() — mm/ksm.c v6.6: a KSM page with only one pte is broken again.
void break_cow(mm_struct* mm, unsigned long addr) {
    down_read(&mm->mmap_lock);  // mmap_read_lock()
    if (vm_area_struct* vma = find_mergeable_vma(mm, addr)) break_ksm(vma, addr, false);
    up_read(&mm->mmap_lock);
}

}  // namespace

int ksm_madvise(vm_area_struct* vma, unsigned long start, unsigned long end, int advice, unsigned long* vm_flags) {
    VM_BUG_ON(advice != MADV_UNMERGEABLE, "ksm_madvise(): only MADV_UNMERGEABLE is modeled");
    if (!(*vm_flags & VM_MERGEABLE)) return 0; /* just ignore the advice */
    if (vma->anon_vma) {
        const int err = unmerge_ksm_pages(vma, start, end, true);
        if (err) return err;
    }
    *vm_flags &= ~VM_MERGEABLE;
    return 0;
}

int try_to_merge_with_ksm_page(mm_struct* mm, unsigned long address, page* page, struct page* kpage) {
    int err = EFAULT_RET;
    down_read(&mm->mmap_lock);  // mmap_read_lock()
    if (vm_area_struct* vma = find_mergeable_vma(mm, address)) err = try_to_merge_one_page(vma, page, kpage);
    // remove_rmap_item_from_tree() and the anon_vma reference: no trees here.
    up_read(&mm->mmap_lock);
    return err;
}

page* try_to_merge_two_pages(mm_struct* mm, unsigned long address, page* page, mm_struct* tree_mm,
                             unsigned long tree_address, struct page* tree_page) {
    int err = try_to_merge_with_ksm_page(mm, address, page, nullptr);
    if (!err) {
        err = try_to_merge_with_ksm_page(tree_mm, tree_address, tree_page, page);
        // If that fails, we have a ksm page with only one pte pointing to it:
        // so break it.
        if (err) break_cow(mm, address);
    }
    return err ? nullptr : page;
}

}  // namespace mm
MMCHECK_ENGINE_END
