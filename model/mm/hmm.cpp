// See hmm.h: mm/hmm.c v6.6 over the model's page walker (model/mm/pagewalk.h).
//
// The model has no swap (model/mm/swapops.h), so of the non-present ptes
// hmm_vma_handle_pte() meets only migration entries (model/mm/migrate_device.h),
// which wait in migration_entry_wait() (model/mm/migrate.h), and device-private
// entries (model/mm/memremap.h), reported to their owner and faulted for
// anyone else, as in the kernel.
#include "model/mm/hmm.h"

#include <cerrno>

#include "model/mm/huge_memory.h"
#include "model/mm/memory.h"
#include "model/mm/memremap.h"
#include "model/mm/migrate.h"
#include "model/mm/pagewalk.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

struct hmm_vma_walk {
    hmm_range* range;
    unsigned long last;
};

enum : unsigned { HMM_NEED_FAULT = 1 << 0, HMM_NEED_WRITE_FAULT = 1 << 1, HMM_NEED_ALL_BITS = 3 };

int hmm_pfns_fill(unsigned long addr, unsigned long end, hmm_range* range, unsigned long cpu_flags) {
    unsigned long i = (addr - range->start) >> PAGE_SHIFT;
    for (; addr < end; addr += PAGE_SIZE, i++) range->hmm_pfns[i] = cpu_flags;
    return 0;
}

// hmm_vma_fault() — mm/hmm.c v6.6: fault in [addr, end), then -EBUSY so that
// hmm_range_fault() walks again from hmm_vma_walk->last.
int hmm_vma_fault(unsigned long addr, unsigned long end, unsigned required_fault, mm_walk* walk) {
    auto* hmm_vma_walk = static_cast<struct hmm_vma_walk*>(walk->private_data);
    vm_area_struct* vma = walk->vma;
    unsigned fault_flags = 0;  // FAULT_FLAG_REMOTE
    VM_BUG_ON(!required_fault, "WARN_ON_ONCE(!required_fault)");
    hmm_vma_walk->last = addr;
    if (required_fault & HMM_NEED_WRITE_FAULT) {
        if (!(vma->vm_flags & VM_WRITE)) return -EPERM;
        fault_flags |= FAULT_FLAG_WRITE;
    }
    for (; addr < end; addr += PAGE_SIZE)
        if (handle_mm_fault(vma, addr, fault_flags) & (VM_FAULT_OOM | VM_FAULT_SIGBUS)) return -EFAULT;
    return -EBUSY;
}

unsigned hmm_pte_need_fault(const hmm_vma_walk* hmm_vma_walk, unsigned long pfn_req_flags,
                            unsigned long cpu_flags) {
    const hmm_range* range = hmm_vma_walk->range;
    // Per-page requests and the range's default flags both count.
    pfn_req_flags &= range->pfn_flags_mask;
    pfn_req_flags |= range->default_flags;
    /* We aren't ask to do anything ... */
    if (!(pfn_req_flags & HMM_PFN_REQ_FAULT)) return 0;
    /* Need to write fault ? */
    if ((pfn_req_flags & HMM_PFN_REQ_WRITE) && !(cpu_flags & HMM_PFN_WRITE))
        return HMM_NEED_FAULT | HMM_NEED_WRITE_FAULT;
    /* If CPU page table is not valid then we need to fault */
    if (!(cpu_flags & HMM_PFN_VALID)) return HMM_NEED_FAULT;
    return 0;
}

unsigned hmm_range_need_fault(const hmm_vma_walk* hmm_vma_walk, const unsigned long hmm_pfns[],
                              unsigned long npages, unsigned long cpu_flags) {
    const hmm_range* range = hmm_vma_walk->range;
    if (!((range->default_flags | range->pfn_flags_mask) & HMM_PFN_REQ_FAULT)) return 0;
    unsigned required_fault = 0;
    for (unsigned long i = 0; i < npages; ++i) {
        required_fault |= hmm_pte_need_fault(hmm_vma_walk, hmm_pfns[i], cpu_flags);
        if (required_fault == HMM_NEED_ALL_BITS) return required_fault;
    }
    return required_fault;
}

int hmm_vma_walk_hole(unsigned long addr, unsigned long end, int, mm_walk* walk) {
    auto* hmm_vma_walk = static_cast<struct hmm_vma_walk*>(walk->private_data);
    hmm_range* range = hmm_vma_walk->range;
    const unsigned long i = (addr - range->start) >> PAGE_SHIFT;
    const unsigned long npages = (end - addr) >> PAGE_SHIFT;
    const unsigned required_fault = hmm_range_need_fault(hmm_vma_walk, &range->hmm_pfns[i], npages, 0);
    if (!walk->vma) {
        if (required_fault) return -EFAULT;
        return hmm_pfns_fill(addr, end, range, HMM_PFN_ERROR);
    }
    if (required_fault) return hmm_vma_fault(addr, end, required_fault, walk);
    return hmm_pfns_fill(addr, end, range, 0);
}

unsigned long pmd_to_hmm_pfn_flags(pmd_t pmd) {
    return (pmd_write(pmd) ? (HMM_PFN_VALID | HMM_PFN_WRITE) : HMM_PFN_VALID) |
           (static_cast<unsigned long>(PMD_SHIFT - PAGE_SHIFT) << HMM_PFN_ORDER_SHIFT);
}

// hmm_vma_handle_pmd() — mm/hmm.c v6.6 (CONFIG_TRANSPARENT_HUGEPAGE).
int hmm_vma_handle_pmd(mm_walk* walk, unsigned long addr, unsigned long end, unsigned long hmm_pfns[], pmd_t pmd) {
    auto* hmm_vma_walk = static_cast<struct hmm_vma_walk*>(walk->private_data);
    const unsigned long npages = (end - addr) >> PAGE_SHIFT;
    const unsigned long cpu_flags = pmd_to_hmm_pfn_flags(pmd);
    const unsigned required_fault = hmm_range_need_fault(hmm_vma_walk, hmm_pfns, npages, cpu_flags);
    if (required_fault) return hmm_vma_fault(addr, end, required_fault, walk);
    unsigned long pfn = pmd_pfn(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
    for (unsigned long i = 0; addr < end; addr += PAGE_SIZE, i++, pfn++) hmm_pfns[i] = pfn | cpu_flags;
    return 0;
}

unsigned long pte_to_hmm_pfn_flags(pte_t pte) {
    if (pte_none(pte) || !pte_present(pte) || pte_protnone(pte)) return 0;
    return pte_write(pte) ? (HMM_PFN_VALID | HMM_PFN_WRITE) : HMM_PFN_VALID;
}

// hmm_vma_handle_pte() — mm/hmm.c v6.6. Leaves out swap entries (faulted) and
// devmap ptes.
int hmm_vma_handle_pte(mm_walk* walk, unsigned long addr, unsigned long end, pmdp_t pmdp, ptep_t ptep,
                       unsigned long* hmm_pfn) {
    auto* hmm_vma_walk = static_cast<struct hmm_vma_walk*>(walk->private_data);
    const pte_t pte = ptep_get(ptep);
    const unsigned long pfn_req_flags = *hmm_pfn;
    unsigned required_fault;
    if (pte_none(pte)) {  // pte_none_mostly()
        required_fault = hmm_pte_need_fault(hmm_vma_walk, pfn_req_flags, 0);
        if (required_fault) goto fault;
        *hmm_pfn = 0;
        return 0;
    }
    if (!pte_present(pte)) {
        const swp_entry_t entry = pte_to_swp_entry(pte);
        // Don't fault in device private pages owned by the caller, just
        // report the PFN.
        if (is_device_private_entry(entry) &&
            pfn_swap_entry_to_page(walk->mm->memory, entry)->pgmap->owner ==
                hmm_vma_walk->range->dev_private_owner) {
            unsigned long cpu_flags = HMM_PFN_VALID;
            if (is_writable_device_private_entry(entry)) cpu_flags |= HMM_PFN_WRITE;
            *hmm_pfn = swp_offset_pfn(entry) | cpu_flags;
            return 0;
        }
        required_fault = hmm_pte_need_fault(hmm_vma_walk, pfn_req_flags, 0);
        if (!required_fault) {
            *hmm_pfn = 0;
            return 0;
        }
        if (is_device_private_entry(entry)) goto fault;
        if (is_migration_entry(entry)) {
            v6_5::pte_unmap(ptep);
            hmm_vma_walk->last = addr;
            migration_entry_wait(walk->mm, pmdp, addr);
            return -EBUSY;
        }
        /* Report error for everything else */
        v6_5::pte_unmap(ptep);
        return -EFAULT;
    }
    required_fault = hmm_pte_need_fault(hmm_vma_walk, pfn_req_flags, pte_to_hmm_pfn_flags(pte));
    if (required_fault) goto fault;
    // Special ptes other than the zero page (PFN maps) are not for devices.
    if (!vm_normal_page(walk->vma, addr, pte) && !is_zero_pfn(pte_pfn(pte))) {
        if (hmm_pte_need_fault(hmm_vma_walk, pfn_req_flags, 0)) {
            v6_5::pte_unmap(ptep);
            return -EFAULT;
        }
        *hmm_pfn = HMM_PFN_ERROR;
        return 0;
    }
    *hmm_pfn = pte_pfn(pte) | pte_to_hmm_pfn_flags(pte);
    return 0;
fault:
    v6_5::pte_unmap(ptep);
    /* Fault any virtual address we were asked to fault */
    return hmm_vma_fault(addr, end, required_fault, walk);
}

// hmm_vma_walk_pmd() — mm/hmm.c v6.6: lockless; a huge pmd is read again and
// used only if still huge ("we will get that event through mmu_notifier").
int hmm_vma_walk_pmd(pmdp_t pmdp, unsigned long start, unsigned long end, mm_walk* walk) {
    auto* hmm_vma_walk = static_cast<struct hmm_vma_walk*>(walk->private_data);
    hmm_range* range = hmm_vma_walk->range;
    unsigned long* hmm_pfns = &range->hmm_pfns[(start - range->start) >> PAGE_SHIFT];
    const unsigned long npages = (end - start) >> PAGE_SHIFT;
    unsigned long addr = start;
again:
    pmd_t pmd = pmdp_get_lockless(pmdp);
    if (pmd_none(pmd)) return hmm_vma_walk_hole(start, end, -1, walk);
    if (!pmd_present(pmd)) {
        if (hmm_range_need_fault(hmm_vma_walk, hmm_pfns, npages, 0)) return -EFAULT;
        return hmm_pfns_fill(start, end, range, HMM_PFN_ERROR);
    }
    if (pmd_devmap(pmd) || pmd_trans_huge(pmd)) {
        pmd = pmdp_get_lockless(pmdp);
        if (!pmd_devmap(pmd) && !pmd_trans_huge(pmd)) goto again;
        return hmm_vma_handle_pmd(walk, addr, end, hmm_pfns, pmd);
    }
    // Either a pte table or a bad pmd that will not recover.
    if (pmd_bad(pmd)) {
        if (hmm_range_need_fault(hmm_vma_walk, hmm_pfns, npages, 0)) return -EFAULT;
        return hmm_pfns_fill(start, end, range, HMM_PFN_ERROR);
    }
    ptep_t ptep = v6_5::pte_offset_map(pmdp, addr);
    if (!ptep.table) goto again;
    for (; addr < end; addr += PAGE_SIZE, ptep.index++, hmm_pfns++) {
        const int r = hmm_vma_handle_pte(walk, addr, end, pmdp, ptep, hmm_pfns);
        if (r) return r;  // hmm_vma_handle_pte() did pte_unmap()
    }
    v6_5::pte_unmap(ptep);
    return 0;
}

// hmm_vma_walk_pud() — mm/hmm.c v6.6: only a huge devmap pud is handled here.
int hmm_vma_walk_pud(pudp_t pudp, unsigned long start, unsigned long end, mm_walk* walk) {
    spinlock_t* ptl = pud_trans_huge_lock(pudp, walk->vma);
    if (!ptl) return 0;
    /* Normally we don't want to split the huge page */
    walk->action = ACTION_CONTINUE;
    const pud_t pud = pudp_get(pudp);  // READ_ONCE(*pudp)
    if (pud_none(pud) || !pud_present(pud)) {
        spin_unlock(ptl);
        return hmm_vma_walk_hole(start, end, -1, walk);
    }
    if (pud_leaf(pud) && pud_devmap(pud)) {
        auto* hmm_vma_walk = static_cast<struct hmm_vma_walk*>(walk->private_data);
        hmm_range* range = hmm_vma_walk->range;
        const unsigned long npages = (end - start) >> PAGE_SHIFT;
        unsigned long* hmm_pfns = &range->hmm_pfns[(start - range->start) >> PAGE_SHIFT];
        const unsigned long cpu_flags = pud_write(pud) ? (HMM_PFN_VALID | HMM_PFN_WRITE) : HMM_PFN_VALID;
        const unsigned required_fault = hmm_range_need_fault(hmm_vma_walk, hmm_pfns, npages, cpu_flags);
        if (required_fault) {
            spin_unlock(ptl);
            return hmm_vma_fault(start, end, required_fault, walk);
        }
        unsigned long pfn = pud_pfn(pud) + ((start & ~PUD_MASK) >> PAGE_SHIFT);
        for (unsigned long i = 0; i < npages; ++i, ++pfn) hmm_pfns[i] = pfn | cpu_flags;
        spin_unlock(ptl);
        return 0;
    }
    /* Ask for the PMD to be split */
    walk->action = ACTION_SUBTREE;
    spin_unlock(ptl);
    return 0;
}

// hmm_vma_walk_test() — mm/hmm.c v6.6.
int hmm_vma_walk_test(unsigned long start, unsigned long end, mm_walk* walk) {
    auto* hmm_vma_walk = static_cast<struct hmm_vma_walk*>(walk->private_data);
    hmm_range* range = hmm_vma_walk->range;
    vm_area_struct* vma = walk->vma;
    if (!(vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) && (vma->vm_flags & VM_READ)) return 0;
    // PFN maps and unreadable VMAs cannot be handled; faulting them is a hard failure.
    if (hmm_range_need_fault(hmm_vma_walk, range->hmm_pfns + ((start - range->start) >> PAGE_SHIFT),
                             (end - start) >> PAGE_SHIFT, 0))
        return -EFAULT;
    hmm_pfns_fill(start, end, range, HMM_PFN_ERROR);
    /* Skip this vma and continue processing the next vma. */
    return 1;
}

const mm_walk_ops hmm_walk_ops = [] {
    mm_walk_ops ops;
    ops.pud_entry = &hmm_vma_walk_pud;
    ops.pmd_entry = &hmm_vma_walk_pmd;
    ops.pte_hole = &hmm_vma_walk_hole;
    ops.test_walk = &hmm_vma_walk_test;
    return ops;
}();

}  // namespace

int hmm_range_fault(hmm_range* range) {
    hmm_vma_walk walk_state{range, range->start};
    mm_struct* mm = range->notifier->mm;
    int ret;
    VM_BUG_ON(!kernel::detail::holds(&mm->mmap_lock), "mmap_assert_locked(mm) in hmm_range_fault");
    do {
        /* If range is no longer valid force retry. */
        if (mmu_interval_check_retry(range->notifier, range->notifier_seq)) return -EBUSY;
        ret = walk_page_range(mm, walk_state.last, range->end, &hmm_walk_ops, &walk_state);
        // On -EBUSY every entry below walk_state.last holds its output, every
        // entry from it on still its input.
    } while (ret == -EBUSY);
    return ret;
}

}  // namespace mm
MMCHECK_ENGINE_END
