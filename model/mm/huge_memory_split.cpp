// Splitting, locking and changing a huge pmd: mm/huge_memory.c, v6.6.
//
// Left out: mmu notifiers (no secondary MMU in the THP scenarios),
// soft-dirty, uffd-wp and young bits. The freeze path (migration entries
// instead of ptes, for split_huge_page()'s unmap_folio()) is modeled for
// anonymous THPs; so are the huge zero page's split and the split of a pmd
// migration entry into pte ones.
#include "model/kernel/intermediate.h"
#include "model/mm/huge_memory.h"
#include "model/mm/mprotect.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

// __pmd_trans_huge_lock() — mm/huge_memory.c v6.6.
spinlock_t* __pmd_trans_huge_lock(pmdp_t pmd, vm_area_struct* vma) {
    spinlock_t* ptl = pmd_lock(vma->vm_mm, pmd);
    const pmd_t val = deref(pmd);
    if (is_swap_pmd(val) || pmd_trans_huge(val) || pmd_devmap(val)) return ptl;
    spin_unlock(ptl);
    return nullptr;
}

// pmd_trans_huge_lock() — include/linux/huge_mm.h v6.6: a lockless look first.
spinlock_t* pmd_trans_huge_lock(pmdp_t pmd, vm_area_struct* vma) {
    const pmd_t val = deref(pmd);
    if (is_swap_pmd(val) || pmd_trans_huge(val) || pmd_devmap(val)) return __pmd_trans_huge_lock(pmd, vma);
    return nullptr;
}

namespace {

// The pte of subpage `pfn` that a split installs (mk_pte() and the bits carried over).
pte_t split_pte(const vm_area_struct* vma, unsigned long pfn, bool write, bool dirty) {
    pte_t entry = pfn_pte(pfn, vma_anon_page_prot(vma));
    if (write) entry = pte_mkwrite(entry);
    if (dirty) entry = pte_mkdirty(entry);
    return entry;
}

// The migration entry a frozen split installs for subpage `pfn`: it keeps the
// huge pmd's write permission and the folio's exclusivity (v6.6).
pte_t split_migration_pte(unsigned long pfn, bool write, bool anon_exclusive) {
    swp_entry_t swp_entry;
    if (write) swp_entry = make_writable_migration_entry(pfn);
    else if (anon_exclusive) swp_entry = make_readable_exclusive_migration_entry(pfn);
    else swp_entry = make_readable_migration_entry(pfn);
    return swp_entry_to_pte(swp_entry);
}

// __split_huge_pmd_locked()'s loop: the withdrawn table maps each subpage
// with the huge pmd's write and dirty bits, or with freeze holds a migration
// entry for it; the pmd mapping becomes pte ones (or, frozen, none, and the
// pmd's reference is dropped).
page* map_subpages(vm_area_struct* vma, pmdp_t pmd, unsigned long haddr, page* head, bool write, bool dirty,
                   bool freeze) {
    mm_struct* mm = vma->vm_mm;
    const bool anon_exclusive = PageAnonExclusive(head);
    VM_BUG_ON(page_count(head) == 0, "VM_BUG_ON_PAGE(!page_count(page))");
    // With freeze, PageAnonExclusive moves into the migration entries; a page
    // that cannot be shared (pinned: never in the model) is split unfrozen.
    if (freeze && anon_exclusive && page_try_share_anon_rmap(head)) freeze = false;
    if (!freeze) page_ref_add(head, int(HPAGE_PMD_NR) - 1);
    page* pgtable = pgtable_trans_huge_withdraw(mm, pmd);
    unsigned long addr = haddr;
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i, addr += PAGE_SIZE) {
        const ptep_t pte = pte_handle(pgtable, i);
        page* subpage = pfn_to_page(mm->memory, head->pfn + i);
        pte_t entry;
        if (freeze) {
            entry = split_migration_pte(head->pfn + i, write, anon_exclusive);
        } else {
            entry = split_pte(vma, head->pfn + i, write, dirty);
            if (anon_exclusive) SetPageAnonExclusive(subpage);
            page_add_anon_rmap(subpage, vma, addr, RMAP_NONE);
        }
        VM_BUG_ON(!pte_none(ptep_get(pte)), "VM_BUG_ON(!pte_none(ptep_get(pte)))");
        set_pte_at(mm, addr, pte, entry);
    }
    page_remove_rmap(head, vma, true);
    if (freeze) put_page(head);
    return pgtable;
}

// The anonymous split of v4.15 (variants.h split_huge_pmd_dirty): write and
// dirty read from *pmd, the pmd invalidated only just before the table goes
// in, so a dirty bit the MMU sets meanwhile is dropped with the old pmd.
// v4.15 put the dirty bit in PG_dirty; the model has none and keeps it in the
// ptes, as v6.6 does. PageAnonExclusive (v5.19) is carried as in v6.6.
void split_anon_pmd_v4_15(vm_area_struct* vma, pmdp_t pmd, unsigned long haddr, bool freeze) {
    mm_struct* mm = vma->vm_mm;
    const pmd_t cur = deref(pmd);
    page* head = pfn_to_page(mm->memory, pmd_pfn(cur));
    page* pgtable = map_subpages(vma, pmd, haddr, head, pmd_write(cur), pmd_dirty(cur), freeze);
    smp_wmb(); /* make pte visible before pmd */
    pmdp_invalidate(vma, haddr, pmd);
    pmd_populate(mm, pmd, pgtable);
}

// __split_huge_zero_page_pmd() — mm/huge_memory.c v6.6: the pmd is cleared,
// then the withdrawn table, full of zero-page ptes, goes in, both in one hold
// of the pmd lock, so lockless readers can see pmd_none() in between: a fault
// then takes the pmd lock, finds the table and returns to be retried, a zap
// skips a range that maps only zeroes ("Leave pmd empty until pte is filled",
// the kernel's comment: a write-protected zero pmd becomes write-protected
// zero ptes). The seam's no-lying-intermediate-value check is told so, here
// only (model/README.md).
void __split_huge_zero_page_pmd(vm_area_struct* vma, unsigned long haddr, pmdp_t pmd) {
    mm_struct* mm = vma->vm_mm;
    pmdp_huge_get_and_clear(mm, haddr, pmd);  // pmdp_huge_clear_flush()
    forget_locked_entry_writes(&pmd.table->slots[pmd.index]);
    page* pgtable = pgtable_trans_huge_withdraw(mm, pmd);
    unsigned long addr = haddr;
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i, addr += PAGE_SIZE) {
        const ptep_t pte = pte_handle(pgtable, i);
        const pte_t entry = pte_mkspecial(pfn_pte(my_zero_pfn(addr), vma_anon_page_prot(vma)));
        VM_BUG_ON(!pte_none(ptep_get(pte)), "VM_BUG_ON(!pte_none(ptep_get(pte)))");
        set_pte_at(mm, addr, pte, entry);
    }
    smp_wmb(); /* make pte visible before pmd */
    pmd_populate(mm, pmd, pgtable);
}

// __split_huge_pmd_locked()'s pmd_migration case: every subpage gets the pmd
// entry's migration entry, with its write and exclusive bits. The pmd entry
// holds no mapcount or reference, so none moves; *pmd stays the migration entry
// until the table goes in. That is the form of 3a5a8d343e1c (v6.10, in 6.6.y);
// v6.6 first ran pmdp_invalidate() on the migration entry too, which on x86
// rewrites it into another non-present value (its offset bits mangled) that no
// reader decodes: the split takes the entry from the returned old value.
void split_migration_pmd(vm_area_struct* vma, pmdp_t pmd, unsigned long haddr, pmd_t old_pmd) {
    mm_struct* mm = vma->vm_mm;
    const swp_entry_t entry = pmd_to_swp_entry(old_pmd);
    page* head = pfn_swap_entry_to_page(mm->memory, entry);
    const bool write = is_writable_migration_entry(entry);
    const bool anon_exclusive = is_readable_exclusive_migration_entry(entry);  // PageAnon(page)
    page* pgtable = pgtable_trans_huge_withdraw(mm, pmd);
    unsigned long addr = haddr;
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i, addr += PAGE_SIZE) {
        const ptep_t pte = pte_handle(pgtable, i);
        VM_BUG_ON(!pte_none(ptep_get(pte)), "VM_BUG_ON(!pte_none(ptep_get(pte)))");
        set_pte_at(mm, addr, pte, split_migration_pte(head->pfn + i, write, anon_exclusive));
    }
    smp_wmb(); /* make pte visible before pmd */
    pmd_populate(mm, pmd, pgtable);
}

// __split_huge_pmd_locked() — mm/huge_memory.c v6.6.
void __split_huge_pmd_locked(vm_area_struct* vma, pmdp_t pmd, unsigned long haddr, bool freeze) {
    mm_struct* mm = vma->vm_mm;
    const pmd_t cur = deref(pmd);
    VM_BUG_ON(!is_pmd_migration_entry(cur) && !pmd_trans_huge(cur) && !pmd_devmap(cur),
              "VM_BUG_ON(!is_pmd_migration_entry(*pmd) && !pmd_trans_huge(*pmd) && !pmd_devmap(*pmd))");
    if (!vma_is_anonymous(vma)) {
        // File and PFN maps: unmap the pmd and let it be refaulted (x86 deposits
        // no table for them: arch_needs_pgtable_deposit()). A page-cache THP loses
        // the pmd's mapping and reference; its dirty and referenced bits are
        // page-cache state the model does not keep; rss counters left out.
        const pmd_t old_pmd = pmdp_huge_get_and_clear(mm, haddr, pmd);  // pmdp_huge_clear_flush()
        if (vma_is_special_huge(vma)) return;
        if (is_pmd_migration_entry(old_pmd)) return;  // holds no mapping or reference
        page* p = pfn_to_page(mm->memory, pmd_pfn(old_pmd));  // pmd_page()
        page_remove_rmap(p, vma, true);
        put_page(p);
        return;
    }
    if (is_huge_zero_pmd(mm, cur)) return __split_huge_zero_page_pmd(vma, haddr, pmd);
    if (is_pmd_migration_entry(cur)) return split_migration_pmd(vma, pmd, haddr, cur);
    if (mm->variants.split_dirty == split_huge_pmd_dirty::v4_15_dirty_before_invalidate)
        return split_anon_pmd_v4_15(vma, pmd, haddr, freeze);
    // Mark the pmd not present but still huge, so that no CPU holds a huge and a
    // small TLB entry for one address at once; then populate the pte table.
    // Dirty and write come from the value replaced atomically: a dirty bit the
    // MMU sets up to then is kept.
    const pmd_t old_pmd = pmdp_invalidate(vma, haddr, pmd);
    page* head = pfn_to_page(mm->memory, pmd_pfn(old_pmd));
    // Withdraw the table only after the pmd is marked invalid.
    page* pgtable = map_subpages(vma, pmd, haddr, head, pmd_write(old_pmd), pmd_dirty(old_pmd), freeze);
    smp_wmb(); /* make pte visible before pmd */
    pmd_populate(mm, pmd, pgtable);
}

}  // namespace

// __split_huge_pmd() — mm/huge_memory.c v6.6. With freeze (unmap_folio() of
// split_huge_page()) the caller names the folio, locked, and only a pmd that
// maps it is split.
void __split_huge_pmd(vm_area_struct* vma, pmdp_t pmd, unsigned long address, bool freeze, page* folio) {
    spinlock_t* ptl = pmd_lock(vma->vm_mm, pmd);
    // If caller asks to setup a migration entry, we need a folio to check
    // pmd against. Otherwise we can end up replacing wrong folio.
    VM_BUG_ON(freeze && !folio, "VM_BUG_ON(freeze && !folio)");
    VM_BUG_ON(freeze && !vma_is_anonymous(vma), "the model freezes anonymous THPs only");
    const pmd_t val = deref(pmd);
    if (pmd_trans_huge(val) || pmd_devmap(val) || is_pmd_migration_entry(val)) {
        // "It's safe to call pmd_page when folio is set because it's
        // guaranteed that pmd is present" (the kernel's comment): a caller
        // with a folio holds its lock, so no one else made it a migration entry.
        if (!folio || folio == compound_head(pfn_to_page(vma->vm_mm->memory, pmd_pfn(val))))
            __split_huge_pmd_locked(vma, pmd, address & PMD_MASK, freeze);
    }
    spin_unlock(ptl);
}

// split_huge_pmd() — include/linux/huge_mm.h v6.6: a lockless look, then the
// locked split, which re-checks.
void split_huge_pmd(vm_area_struct* vma, pmdp_t pmd, unsigned long address) {
    const pmd_t val = deref(pmd);
    if (is_swap_pmd(val) || pmd_trans_huge(val) || pmd_devmap(val)) __split_huge_pmd(vma, pmd, address, false, nullptr);
}

// split_huge_pmd_address() — mm/huge_memory.c v6.6.
void split_huge_pmd_address(vm_area_struct* vma, unsigned long address, bool freeze, page* folio) {
    pmdp_t pmd;
    if (!mm_find_pmd(vma->vm_mm, address, &pmd)) return;
    __split_huge_pmd(vma, pmd, address, freeze, folio);
}

namespace {

// split_huge_pmd_if_needed() — mm/huge_memory.c v6.6: a boundary that is not
// pmd-aligned, inside a pmd range the VMA covers, may cut a huge pmd.
void split_huge_pmd_if_needed(vm_area_struct* vma, unsigned long address) {
    const unsigned long down = address & PMD_MASK, up = (address + PMD_SIZE - 1) & PMD_MASK;
    if ((address & ~PMD_MASK) != 0 && down >= vma->vm_start && up <= vma->vm_end)  // range_in_vma()
        split_huge_pmd_address(vma, address, false, nullptr);
}

}  // namespace

// vma_adjust_trans_huge() — mm/huge_memory.c v6.6.
void vma_adjust_trans_huge(vm_area_struct* vma, unsigned long start, unsigned long end, long adjust_next) {
    /* Check if we need to split start first. */
    split_huge_pmd_if_needed(vma, start);
    /* Check if we need to split end next. */
    split_huge_pmd_if_needed(vma, end);
    // If we're also updating the next vma vm_start (vma_merge() case 5),
    // check if we need to split it.
    if (adjust_next > 0) {
        vm_area_struct* next = find_vma(vma->vm_mm, vma->vm_end);
        split_huge_pmd_if_needed(next, next->vm_start + static_cast<unsigned long>(adjust_next));
    }
}

namespace {

// change_huge_pmd() — mm/huge_memory.c v4.10 (variants.h change_huge_pmd_update):
// the huge pmd is cleared, then set to the modified value, under the pmd lock.
// NUMA hinting runs it under mmap_lock for read, so MADV_DONTNEED's
// zap_pmd_range(), also under mmap_lock for read, can see pmd_none() in
// between and skip the THP (ced108037c2a). The mmu notifier of
// pmdp_huge_get_and_clear_notify() is left out, as above.
int change_huge_pmd_v4_10(vm_area_struct* vma, pmdp_t pmd, unsigned long addr, pgprot_t newprot,
                          unsigned long cp_flags) {
    const bool prot_numa = cp_flags & MM_CP_PROT_NUMA;
    spinlock_t* ptl = __pmd_trans_huge_lock(pmd, vma);
    if (!ptl) return 0;
    const bool preserve_write = prot_numa && pmd_write(deref(pmd));
    int ret = 1;
    if (!prot_numa || !pmd_protnone(deref(pmd))) {
        pmd_t entry = pmdp_huge_get_and_clear(vma->vm_mm, addr, pmd);  // pmdp_huge_get_and_clear_notify()
        entry = pmd_modify(entry, newprot);
        if (preserve_write) entry = pmd_mkwrite(entry);
        ret = int(HPAGE_PMD_NR);
        set_pmd_at(vma->vm_mm, addr, pmd, entry);
        VM_BUG_ON(vma_is_anonymous(vma) && !preserve_write && pmd_write(entry),
                  "BUG_ON(vma_is_anonymous(vma) && !preserve_write && pmd_write(entry))");
    }
    spin_unlock(ptl);
    return ret;
}

}  // namespace

// can_change_pmd_writable() — mm/huge_memory.c v6.6: may mprotect() or the
// NUMA hinting fault make a huge pmd writable without the write fault? For a private mapping, only if
// it maps an exclusive anonymous THP (vm_normal_page_pmd(): not the huge zero
// page). Soft-dirty and uffd-wp tracking are not modeled.
bool can_change_pmd_writable(vm_area_struct* vma, unsigned long addr, pmd_t pmd) {
    (void)addr;
    VM_BUG_ON(!(vma->vm_flags & VM_WRITE), "WARN_ON_ONCE(!(vma->vm_flags & VM_WRITE)) in can_change_pmd_writable");
    /* Don't touch entries that are not even readable (NUMA hinting). */
    if (pmd_protnone(pmd)) return false;
    if (!(vma->vm_flags & VM_SHARED)) {
        /* See can_change_pte_writable(). */
        if (is_huge_zero_pmd(vma->vm_mm, pmd)) return false;
        page* head = pfn_to_page(vma->vm_mm->memory, pmd_pfn(pmd));
        return head->use == page_use::anon && PageAnonExclusive(head);
    }
    /* See can_change_pte_writable(). */
    return pmd_dirty(pmd);
}

// change_huge_pmd() — mm/huge_memory.c v6.6 (mprotect and NUMA hinting). The pmd
// is never cleared in between (pmdp_invalidate_ad()), so a concurrent
// MADV_DONTNEED under mmap_lock read cannot miss it. A pmd migration entry
// loses its write permission; NUMA hinting skips the huge zero page. Left
// out: uffd-wp and the NUMA tier checks.
int change_huge_pmd(vm_area_struct* vma, pmdp_t pmd, unsigned long addr, pgprot_t newprot, unsigned long cp_flags) {
    if (vma->vm_mm->variants.change_pmd == change_huge_pmd_update::v4_10_get_and_clear)
        return change_huge_pmd_v4_10(vma, pmd, addr, newprot, cp_flags);
    const bool prot_numa = cp_flags & MM_CP_PROT_NUMA;
    spinlock_t* ptl = __pmd_trans_huge_lock(pmd, vma);
    if (!ptl) return 0;
    int ret = 1;
    if (is_swap_pmd(deref(pmd))) {  // CONFIG_ARCH_ENABLE_THP_MIGRATION
        const pmd_t cur = deref(pmd);
        swp_entry_t entry = pmd_to_swp_entry(cur);
        VM_BUG_ON(!is_pmd_migration_entry(cur), "VM_BUG_ON(!is_pmd_migration_entry(*pmd))");
        pmd_t newpmd = cur;
        // A protection check is difficult so just be safe and disable write
        // (the folio is anonymous: it stays exclusive).
        if (is_writable_migration_entry(entry)) {
            entry = make_readable_exclusive_migration_entry(swp_offset(entry));
            newpmd = swp_entry_to_pmd(entry);
        }
        if (!pmd_same(cur, newpmd)) set_pmd_at(vma->vm_mm, addr, pmd, newpmd);
        goto unlock;
    }
    if (prot_numa) {
        // Avoid trapping faults against the zero page.
        if (is_huge_zero_pmd(vma->vm_mm, deref(pmd))) goto unlock;
        if (pmd_protnone(deref(pmd))) goto unlock;
    }
    {
        const pmd_t oldpmd = pmdp_invalidate(vma, addr, pmd);  // pmdp_invalidate_ad()
        pmd_t entry = pmd_modify(oldpmd, newprot);
        /* See change_pte_range(). */
        if ((cp_flags & MM_CP_TRY_CHANGE_WRITABLE) && !pmd_write(entry) && can_change_pmd_writable(vma, addr, entry))
            entry = pmd_mkwrite(entry);
        ret = int(HPAGE_PMD_NR);
        set_pmd_at(vma->vm_mm, addr, pmd, entry);
    }
unlock:
    spin_unlock(ptl);
    return ret;
}

}  // namespace mm
MMCHECK_ENGINE_END
