// munmap() and exit: the mm/mmap.c half of tearing mappings down, v5.4
// (__do_munmap, unmap_region, exit_mmap, unlink_file_vma), with v6.6's per-VMA
// lock steps where munmap() detaches VMAs and drops mmap_lock (vma_lock.h).
//
// munmap() of part of a VMA splits it first with __split_vma(), v6.6 (the
// per-VMA write locks, vma_adjust_trans_huge()).
//
// Simplifications, stated once here: mm->vmas is a plain vector changed only
// under mmap_lock held for write, which orders it against every reader under
// mmap_lock (lock_vma_under_rcu() walks its slots: vma_tree.h); VMAs are owned
// by the scenario (or, when __split_vma() made them, by the mm: mm_types.h) and
// never freed, so remove_vma() only drops them from the list and v6.6's
// vm_area_free() through call_rcu() is left out. __split_vma() changes the
// range of a linked VMA under mmap_lock for write and the VMA's write lock, as
// the kernel does; the model's vm_start/vm_end are plain members (mm_types.h)
// that only those lock holders read, and the lockless walk reads the range the
// tree holds (vma_tree.h), which the store of the new VMA changes.
#include <algorithm>

#include "model/fs/address_space.h"
#include "model/mm/huge_memory.h"
#include "model/mm/memory.h"
#include "model/mm/mmap.h"
#include "model/mm/vma_lock.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

// __split_vma() — mm/mmap.c v6.6: vma keeps one side of addr, a new VMA (below
// addr if new_below) takes the other. Left out: ->may_split and ->open (no
// modeled driver has them), the mempolicy and anon_vma clones (not modeled).
int __split_vma(vm_area_struct* vma, unsigned long addr, bool new_below) {
    mm_struct* mm = vma->vm_mm;
    VM_BUG_ON(vma->vm_start >= addr || vma->vm_end <= addr, "WARN_ON(addr outside the VMA) in __split_vma");
    vm_area_struct* split = vm_area_dup(vma);  // `new` in the kernel
    if (new_below) {
        split->vm_end = addr;
    } else {
        split->vm_start = addr;
        split->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
    }
    vma_start_write(vma);
    vma_start_write(split);
    // vma_prepare(): the file's i_mmap tree takes the new VMA under its lock.
    if (vma->vm_mapping) i_mmap_lock_write(vma->vm_mapping);
    vma_adjust_trans_huge(vma, vma->vm_start, addr, 0);
    if (new_below) {
        vma->vm_start = addr;
        vma->vm_pgoff += (addr - split->vm_start) >> PAGE_SHIFT;
    } else {
        vma->vm_end = addr;
    }
    // vma_complete(): the new VMA goes into the file's tree (vma_prepare() in
    // v6.6; both under i_mmap_rwsem) and into the mm's, then the file lock is dropped.
    if (vma->vm_mapping) vma_interval_tree_insert(split, vma->vm_mapping);
    const auto at = std::find_if(mm->vmas.begin(), mm->vmas.end(), [&](auto* v) { return v->vm_start > split->vm_start; });
    mm->vmas.insert(at, split);
    if (vma->vm_mapping) i_mmap_unlock_write(vma->vm_mapping);
    return 0;
}

namespace {

inline constexpr unsigned long FIRST_USER_ADDRESS = 0;
inline constexpr unsigned long USER_PGTABLES_CEILING = 0;

// unmap_region() — mm/mmap.c v5.4: zap the detached VMAs, then free the tables
// no VMA between prev and next still needs.
void unmap_region(mm_struct* mm, const std::vector<vm_area_struct*>& detached, vm_area_struct* prev,
                  vm_area_struct* next, unsigned long start, unsigned long end) {
    mmu_gather tlb;
    tlb_gather_mmu(&tlb, mm, start, end);
    unmap_vmas(&tlb, detached, start, end);
    free_pgtables(&tlb, detached, prev ? prev->vm_end : FIRST_USER_ADDRESS,
                  next ? next->vm_start : USER_PGTABLES_CEILING);
    tlb_finish_mmu(&tlb, start, end);
}

// __do_munmap() — mm/mmap.c v5.4, splitting the first and last VMA when the
// range cuts them (__split_vma() above, v6.6); `downgrade` drops mmap_lock to
// read before the zap, as __vm_munmap() asks. The detach is v6.6's
// (do_vmi_align_munmap()): VMA by VMA, the last one split where the range ends,
// each write-locked and marked detached before they leave the tree, and
// mmap_write_downgrade() unlocks them (munmap_detach variant: v5.4's order, both
// splits first, and neither step). __split_vma() cannot fail in the model, so
// v6.6's unwinding of a failed end split is left out. Left out too:
// sysctl_max_map_count, userfaultfd, mlock.
int __do_munmap(mm_struct* mm, unsigned long start, unsigned long len, bool downgrade) {
    if ((start & ~PAGE_MASK) || start > TASK_SIZE || len > TASK_SIZE - start) return -1;  // -EINVAL
    len = (len + PAGE_SIZE - 1) & PAGE_MASK;  // PAGE_ALIGN()
    const unsigned long end = start + len;
    if (len == 0) return -1;  // -EINVAL
    auto first = std::find_if(mm->vmas.begin(), mm->vmas.end(), [&](auto* v) { return v->vm_end > start; });
    if (first == mm->vmas.end() || (*first)->vm_start >= end) return 0;
    // If we need to split any vma, do it now to save pain later. As in v6.6's
    // do_vmi_align_munmap(), the new VMAs are the parts that stay mapped.
    if (start > (*first)->vm_start) {
        const int error = __split_vma(*first, start, true);
        if (error) return error;
        first = std::find_if(mm->vmas.begin(), mm->vmas.end(), [&](auto* v) { return v->vm_end > start; });
    }
    const bool v6_6 = mm->variants.detach == munmap_detach::v6_6_vma_start_write;
    // Does it split the last one? (v6.6: in the loop below.)
    if (!v6_6) {
        vm_area_struct* last_vma = find_vma(mm, end);
        if (last_vma && end > last_vma->vm_start) {
            const int error = __split_vma(last_vma, end, false);
            if (error) return error;
        }
    }
    std::vector<vm_area_struct*> detached;  // v5.4 detach_vmas_to_be_unmapped(); v6.6 mas_detach
    for (vm_area_struct* vma = *first; vma != nullptr && vma->vm_start < end; vma = find_vma(mm, vma->vm_end)) {
        if (v6_6) {
            if (vma->vm_end > end) __split_vma(vma, end, false);  // Does it split the end?
            vma_start_write(vma);
            vma_mark_detached(vma, true);
        }
        detached.push_back(vma);
    }
    first = std::find(mm->vmas.begin(), mm->vmas.end(), detached.front());
    const auto last = first + static_cast<long>(detached.size());
    vm_area_struct* prev = first == mm->vmas.begin() ? nullptr : *(first - 1);
    vm_area_struct* next = last == mm->vmas.end() ? nullptr : *last;
    mm->vmas.erase(first, last);
    if (downgrade) mmap_write_downgrade(mm);
    unmap_region(mm, detached, prev, next, start, end);
    return downgrade ? 1 : 0;  // remove_vma_list(): the VMAs belong to the scenario
}

}  // namespace

// unlink_file_vma() — mm/mmap.c v5.4: hide the VMA from rmap and
// walk_page_mapping() before its page tables are freed.
void unlink_file_vma(vm_area_struct* vma) {
    address_space* mapping = vma->vm_mapping;
    if (!mapping) return;
    i_mmap_lock_write(mapping);
    vma_interval_tree_remove(vma, mapping);  // __remove_shared_vm_struct()
    i_mmap_unlock_write(mapping);
}

// do_munmap() — mm/mmap.c v5.4: caller holds mmap_lock for write.
int do_munmap(mm_struct* mm, unsigned long start, unsigned long len) {
    if (!kernel::detail::holds(&mm->mmap_lock)) report_violation(violation_kind::lock_discipline, "do_munmap() without mmap_lock");
    return __do_munmap(mm, start, len, false);
}

// __vm_munmap() — mm/mmap.c v5.4, the munmap() syscall on `mm` (current->mm),
// with v6.6's mmap_write_lock()/mmap_write_unlock().
int vm_munmap(mm_struct* mm, unsigned long start, unsigned long len) {
    mmap_write_lock(mm);
    const int ret = __do_munmap(mm, start, len, true);
    // Returning 1 indicates mmap_sem is downgraded: a success.
    if (ret == 1) {
        up_read(&mm->mmap_lock);
        return 0;
    }
    mmap_write_unlock(mm);
    return ret;
}

// exit_mmap() — mm/mmap.c v6.6: the last user is gone, but paths that found the
// mm before (khugepaged, an mm walker holding mmap_lock) may still run, so the
// unmap runs under mmap_lock for read and the page-table and VMA teardown under
// it for write. Left out: mmu_notifier_release() (no release callbacks, see
// mmu_notifier.h), the OOM reaper's MMF_OOM_SKIP, accounting, __mt_destroy().
// The pgd stays for the end-of-run table census.
void exit_mmap(mm_struct* mm) {
    down_read(&mm->mmap_lock);  // mmap_read_lock()
    const std::vector<vm_area_struct*> vmas = mm->vmas;  // mas_find()
    if (vmas.empty()) {
        up_read(&mm->mmap_lock);
        mmap_write_lock(mm);
        mmap_write_unlock(mm);  // destroy:
        return;
    }
    mmu_gather tlb;
    tlb_gather_mmu(&tlb, mm, 0, ~0ul);  // tlb_gather_mmu_fullmm()
    // Use ULONG_MAX here to ensure all VMAs in the mm are unmapped.
    unmap_vmas(&tlb, vmas, 0, ~0ul);
    up_read(&mm->mmap_lock);
    mmap_write_lock(mm);
    free_pgtables(&tlb, vmas, FIRST_USER_ADDRESS, USER_PGTABLES_CEILING);
    tlb_finish_mmu(&tlb, 0, ~0ul);
    mm->vmas.clear();  // remove_vma() of each
    mmap_write_unlock(mm);
}

}  // namespace mm
MMCHECK_ENGINE_END
