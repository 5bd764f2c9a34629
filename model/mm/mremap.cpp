// See mremap.h: mm/mremap.c v6.6; move_normal_pmd()'s 6fa1066fc5d0 re-check is
// a variant (model/mm/variants.h, mremap_normal_pmd).
//
// Left out: move_huge_pmd() (a huge pmd is split and moved as ptes, which the
// kernel also does when move_huge_pmd() fails), move_normal_pud() and huge
// puds (no PUD-sized moves in the model), hugetlb, mmu notifiers, uffd, the
// anon_vma lock of take_rmap_locks() (the model has no anon_vma; anonymous
// VMAs have no rmap walker that runs without mmap_lock), soft-dirty, and
// move_vma()'s accounting, mlock and VMA merging.
#include "model/mm/mremap.h"

#include <algorithm>

#include "model/fs/address_space.h"
#include "model/mm/huge_memory.h"
#include "model/mm/ksm.h"
#include "model/mm/memory.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/vma_lock.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// take_rmap_locks()/drop_rmap_locks() — mm/mremap.c v6.6, file VMAs only (see above).
void take_rmap_locks(vm_area_struct* vma) {
    if (vma->vm_mapping) i_mmap_lock_write(vma->vm_mapping);
}
void drop_rmap_locks(vm_area_struct* vma) {
    if (vma->vm_mapping) i_mmap_unlock_write(vma->vm_mapping);
}

// get_old_pud() + get_old_pmd() — mm/mremap.c v6.6 (p4d folded).
pmdp_t get_old_pmd(mm_struct* mm, unsigned long addr) {
    const pgdp_t pgd = pgd_offset(mm, addr);
    if (pgd_val(deref(pgd)) == 0) return {};
    const pudp_t pud = pud_offset(pgd, addr);
    const pud_t pudval = deref(pud);
    if (pud_none(pudval)) return {};
    if (pud_bad(pudval)) report_violation(violation_kind::assertion, "pud_bad() in get_old_pud: pud_clear_bad");
    const pmdp_t pmd = pmd_offset(pud, addr);
    if (pmd_none(deref(pmd))) return {};
    return pmd;
}

// alloc_new_pud() + alloc_new_pmd() — mm/mremap.c v6.6.
pmdp_t alloc_new_pmd(mm_struct* mm, unsigned long addr) {
    const pudp_t pud = pud_alloc(mm, pgd_offset(mm, addr), addr);
    if (!pud.table) return {};
    bool oom = false;
    const pmdp_t pmd = pmd_alloc(mm, pud, addr, &oom);
    if (oom) return {};
    VM_BUG_ON(pmd_trans_huge(deref(pmd)), "VM_BUG_ON(pmd_trans_huge(*pmd)) in alloc_new_pmd");
    return pmd;
}

// get_extent(NORMAL_PMD, ...) — mm/mremap.c v6.6.
unsigned long get_extent(unsigned long old_addr, unsigned long old_end, unsigned long new_addr) {
    unsigned long extent = ((old_addr + PMD_SIZE) & PMD_MASK) - old_addr;
    extent = std::min(extent, old_end - old_addr);
    return std::min(extent, ((new_addr + PMD_SIZE) & PMD_MASK) - new_addr);
}

// move_ptes() — mm/mremap.c v6.6 on the 6.5+ pte_offset_map_lock(), which may
// fail (-EAGAIN: the caller looks at the pmd again).
int move_ptes(vm_area_struct* vma, pmdp_t old_pmd, unsigned long old_addr, unsigned long old_end,
              vm_area_struct* new_vma, pmdp_t new_pmd, unsigned long new_addr, bool need_rmap_locks) {
    mm_struct* mm = vma->vm_mm;
    int err = 0;
    spinlock_t* old_ptl = nullptr;
    if (need_rmap_locks) take_rmap_locks(vma);
    ptep_t old_pte = v6_5::pte_offset_map_lock(mm, old_pmd, old_addr, &old_ptl);
    ptep_t new_pte;
    spinlock_t* new_ptl = nullptr;
    if (!old_pte.table) {
        err = -11;  // -EAGAIN
        goto out;
    }
    new_pte = v6_5::__pte_offset_map(new_pmd, new_addr, nullptr);  // pte_offset_map_nolock()
    if (!new_pte.table) {
        v6_5::pte_unmap_unlock(old_pte, old_ptl);
        err = -11;
        goto out;
    }
    new_ptl = &new_pte.table->ptl;
    if (new_ptl != old_ptl) spin_lock_nested(new_ptl, SINGLE_DEPTH_NESTING);
    for (; old_addr < old_end; old_addr += PAGE_SIZE, new_addr += PAGE_SIZE) {
        const ptep_t from{old_pte.table, pte_index(old_addr), old_pte.generation};
        if (pte_none(ptep_get(from))) continue;
        const pte_t pte = ptep_get_and_clear(mm, old_addr, from);
        // move_pte() is the identity on x86; the TLB flush is left out.
        const ptep_t to{new_pte.table, pte_index(new_addr), new_pte.generation};
        // The kernel writes the destination without looking at it: it is empty,
        // as mmap_lock for write keeps faults out of the new range, which
        // copy_vma() created over an unmapped one.
        entry_known_under_lock(to);
        set_pte_at(mm, new_addr, to, pte);
    }
    if (new_ptl != old_ptl) spin_unlock(new_ptl);
    v6_5::pte_unmap(new_pte);
    v6_5::pte_unmap_unlock(old_pte, old_ptl);
out:
    if (need_rmap_locks) drop_rmap_locks(vma);
    (void)new_vma;
    return err;
}

// move_normal_pmd() — mm/mremap.c v6.6; with fixed_6fa1066fc5d0 the v6.12
// re-check that *old_pmd still names a page table once the locks are held.
bool move_normal_pmd(vm_area_struct* vma, unsigned long, unsigned long, pmdp_t old_pmd, pmdp_t new_pmd) {
    mm_struct* mm = vma->vm_mm;
    bool res = false;
    // The destination pmd shouldn't be established, free_pgtables() should
    // have released it (WARN_ON_ONCE; the execve stack move is not modeled).
    VM_BUG_ON(!pmd_none(deref(new_pmd)), "WARN_ON_ONCE(!pmd_none(*new_pmd)) in move_normal_pmd");
    // The order of the two ptls does not matter: mmap_lock for write excludes
    // every other mover.
    spinlock_t* old_ptl = pmd_lock(mm, old_pmd);
    spinlock_t* new_ptl = pmd_lockptr(mm, new_pmd);
    if (new_ptl != old_ptl) spin_lock_nested(new_ptl, SINGLE_DEPTH_NESTING);
    const pmd_t pmd = deref(old_pmd);
    if (mm->variants.move_pmd == mremap_normal_pmd::fixed_6fa1066fc5d0) {
        /* Racing with collapse? */
        if (!pmd_present(pmd) || pmd_leaf(pmd)) goto out_unlock;
    }
    pmd_clear(old_pmd);
    res = true;
    VM_BUG_ON(!pmd_none(deref(new_pmd)), "VM_BUG_ON(!pmd_none(*new_pmd)) in move_normal_pmd");
    pmd_populate(mm, new_pmd, pfn_to_page(mm->memory, pmd_pfn(pmd)));  // pmd_pgtable(pmd)
    // flush_tlb_range(): no TLB in the model.
out_unlock:
    if (new_ptl != old_ptl) spin_unlock(new_ptl);
    spin_unlock(old_ptl);
    return res;
}

// move_pgt_entry(NORMAL_PMD, ...) — mm/mremap.c v6.6: the rmap locks are taken
// only after move_page_tables() chose this path from an unlocked look at *old_pmd.
bool move_pgt_entry_normal_pmd(vm_area_struct* vma, unsigned long old_addr, unsigned long new_addr, pmdp_t old_pmd,
                               pmdp_t new_pmd, bool need_rmap_locks) {
    if (need_rmap_locks) take_rmap_locks(vma);
    const bool moved = move_normal_pmd(vma, old_addr, new_addr, old_pmd, new_pmd);
    if (need_rmap_locks) drop_rmap_locks(vma);
    return moved;
}

}  // namespace

unsigned long move_page_tables(vm_area_struct* vma, unsigned long old_addr, vm_area_struct* new_vma,
                               unsigned long new_addr, unsigned long len, bool need_rmap_locks) {
    if (!len) return 0;
    mm_struct* mm = vma->vm_mm;
    const unsigned long old_end = old_addr + len;
    for (unsigned long extent; old_addr < old_end; old_addr += extent, new_addr += extent) {
        extent = get_extent(old_addr, old_end, new_addr);
        const pmdp_t old_pmd = get_old_pmd(mm, old_addr);
        if (!old_pmd.table) continue;
        const pmdp_t new_pmd = alloc_new_pmd(new_vma->vm_mm, new_addr);
        if (!new_pmd.table) break;
    again:
        const pmd_t val = deref(old_pmd);
        if ((!pmd_none(val) && !pmd_present(val)) || pmd_trans_huge(val) || pmd_devmap(val)) {
            split_huge_pmd(vma, old_pmd, old_addr);  // move_huge_pmd() left out, see above
        } else if (extent == PMD_SIZE) {
            // If the extent is PMD-sized, try to speed the move by moving at the
            // PMD level if possible.
            if (move_pgt_entry_normal_pmd(vma, old_addr, new_addr, old_pmd, new_pmd, true)) continue;
        }
        if (pmd_none(deref(old_pmd))) continue;
        if (pte_alloc(new_vma->vm_mm, new_pmd)) break;
        if (move_ptes(vma, old_pmd, old_addr, old_addr + extent, new_vma, new_pmd, new_addr, need_rmap_locks) < 0)
            goto again;
    }
    // Prevent negative return values when {old,new}_addr was realigned but we
    // broke out of the loop for the first PMD itself.
    if (len + old_addr < old_end) return 0;
    return len + old_addr - old_end;
}

unsigned long move_vma(vm_area_struct* vma, vm_area_struct* new_vma, unsigned long new_addr) {
    mm_struct* mm = vma->vm_mm;
    const unsigned long old_addr = vma->vm_start, old_len = vma->vm_end - vma->vm_start;
    // Advise KSM to break any KSM pages in the area to be moved: it would be
    // confusing if they were to turn up at the new location, where they happen
    // to coincide with different KSM pages recently unmapped. But leave
    // vma->vm_flags as it was, so KSM can come around to merge on vma and
    // new_vma afterwards.
    unsigned long vm_flags = vma->vm_flags;
    if (ksm_madvise(vma, old_addr, old_addr + old_len, MADV_UNMERGEABLE, &vm_flags)) return -1ul;
    // v6.6: no fault may run on the old VMA under its lock while its page tables
    // move. The new VMA is linked write-locked too (the model's copy_vma()), so a
    // fault on the new range waits for mmap_write_unlock() or takes mmap_lock.
    vma_start_write(vma);
    // copy_vma(): link the new VMA; need_rmap_locks when rmap walks could see
    // it before the old one (equal pgoffs: always, in the model's slot order).
    const auto at = std::find_if(mm->vmas.begin(), mm->vmas.end(), [&](auto* v) { return v->vm_start > new_addr; });
    vma_start_write(new_vma);
    mm->vmas.insert(at, new_vma);
    if (vma->vm_mapping) {
        i_mmap_lock_write(vma->vm_mapping);
        vma_interval_tree_insert(new_vma, vma->vm_mapping);
        i_mmap_unlock_write(vma->vm_mapping);
    }
    const unsigned long moved_len = move_page_tables(vma, old_addr, new_vma, new_addr, old_len, true);
    VM_BUG_ON(moved_len < old_len, "move_page_tables() failed: the model has no undo (move back) path");
    if (do_munmap(mm, old_addr, old_len) < 0) return -1ul;
    return new_addr;
}

}  // namespace mm
MMCHECK_ENGINE_END
