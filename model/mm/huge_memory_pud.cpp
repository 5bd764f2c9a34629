// Huge puds: locking, splitting and zapping (mm/huge_memory.c and
// include/linux/huge_mm.h, v5.4).
//
// Only DAX/PFN maps have huge puds in v5.4 (no anonymous PUD THP), so a split
// unmaps the pud and lets the next fault refill it, and a zap has no page to
// release. Left out: mmu notifiers (no secondary MMU in the walker scenarios)
// and the TLB flush of pudp_huge_clear_flush() (no TLB in the model).
#include "model/mm/huge_memory.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

// __pud_trans_huge_lock() — mm/huge_memory.c v5.4.
spinlock_t* __pud_trans_huge_lock(pudp_t pud, vm_area_struct* vma) {
    spinlock_t* ptl = pud_lock(vma->vm_mm, pud);
    const pud_t val = deref(pud);
    if (pud_trans_huge(val) || pud_devmap(val)) return ptl;
    spin_unlock(ptl);
    return nullptr;
}

// pud_trans_huge_lock() — include/linux/huge_mm.h v5.4, without the
// VM_BUG_ON_VMA(!rwsem_is_locked(mmap_sem)) that the walk_page_mapping() series
// removed: walk_page_mapping() holds i_mmap_rwsem instead.
spinlock_t* pud_trans_huge_lock(pudp_t pud, vm_area_struct* vma) {
    const pud_t val = deref(pud);
    if (pud_trans_huge(val) || pud_devmap(val)) return __pud_trans_huge_lock(pud, vma);
    return nullptr;
}

namespace {

// __split_huge_pud_locked() — mm/huge_memory.c v5.4: a file/PFN huge pud is
// only unmapped (pudp_huge_clear_flush_notify()).
void __split_huge_pud_locked(vm_area_struct* vma, pudp_t pud, unsigned long haddr) {
    VM_BUG_ON(haddr & ~PUD_MASK, "VM_BUG_ON(haddr & ~HPAGE_PUD_MASK)");
    VM_BUG_ON(vma->vm_start > haddr || vma->vm_end < haddr + PUD_SIZE, "VM_BUG_ON_VMA(huge pud outside the vma)");
    const pud_t cur = deref(pud);
    VM_BUG_ON(!pud_trans_huge(cur) && !pud_devmap(cur), "VM_BUG_ON(!pud_trans_huge(*pud) && !pud_devmap(*pud))");
    pudp_huge_get_and_clear(vma->vm_mm, haddr, pud);
}

}  // namespace

// __split_huge_pud() — mm/huge_memory.c v5.4: re-checks under the pud lock.
void __split_huge_pud(vm_area_struct* vma, pudp_t pud, unsigned long address) {
    spinlock_t* ptl = pud_lock(vma->vm_mm, pud);
    const pud_t val = deref(pud);
    if (pud_trans_huge(val) || pud_devmap(val)) __split_huge_pud_locked(vma, pud, address & PUD_MASK);
    spin_unlock(ptl);
}

// split_huge_pud() — include/linux/huge_mm.h v5.4 (a macro): a lockless look,
// then the locked split.
void split_huge_pud(vm_area_struct* vma, pudp_t pud, unsigned long address) {
    const pud_t val = deref(pud);
    if (pud_trans_huge(val) || pud_devmap(val)) __split_huge_pud(vma, pud, address);
}

// zap_huge_pud() — mm/huge_memory.c v5.4, for vma_is_special_huge() VMAs (the
// only ones with huge puds): clear under the lock, nothing to free.
int zap_huge_pud(vm_area_struct* vma, pudp_t pud, unsigned long addr) {
    spinlock_t* ptl = __pud_trans_huge_lock(pud, vma);
    if (!ptl) return 0;
    pudp_huge_get_and_clear(vma->vm_mm, addr, pud);  // pudp_huge_get_and_clear_full()
    VM_BUG_ON(vma_is_anonymous(vma), "BUG(): no support for anonymous PUD pages yet");
    spin_unlock(ptl);
    return 1;
}

}  // namespace mm
MMCHECK_ENGINE_END
