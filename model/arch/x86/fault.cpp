#include "model/arch/x86/fault.h"

#include "model/mm/memory.h"
#include "model/mm/vma_lock.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

namespace {

// do_user_addr_fault() — arch/x86/mm/fault.c v5.4, reduced to the mmap_lock
// bracket around find_vma() and handle_mm_fault(): no retry, no signals.
vm_fault_t do_user_addr_fault_v5_4(mm_struct* mm, unsigned long address, unsigned flags) {
    kernel::down_read(&mm->mmap_lock);
    vm_area_struct* vma = find_vma(mm, address);
    vm_fault_t fault = VM_FAULT_SIGBUS;
    if (vma != nullptr && vma->vm_start <= address) fault = handle_mm_fault(vma, address, flags);
    kernel::up_read(&mm->mmap_lock);
    return fault;
}

// do_user_addr_fault() — arch/x86/mm/fault.c v6.6: the per-VMA lock first, then
// the mmap_lock form (lock_mm_and_find_vma(), reduced as in v5.4 above). Left
// out: access_error() (the model's faults are all allowed), signals,
// VM_FAULT_COMPLETED (no path returns it) and the mmap_lock path's retry loop
// (nothing under mmap_lock returns VM_FAULT_RETRY in the model).
vm_fault_t do_user_addr_fault_v6_6(mm_struct* mm, unsigned long address, unsigned flags) {
    flags |= FAULT_FLAG_USER;  // every modeled fault comes from user mode
    vm_area_struct* vma = lock_vma_under_rcu(mm, address);
    if (vma) {
        const vm_fault_t fault = handle_mm_fault(vma, address, flags | FAULT_FLAG_VMA_LOCK);
        // handle_mm_fault() dropped the VMA lock if it asks for a retry.
        if (!(fault & VM_FAULT_RETRY)) {
            vma_end_read(vma);
            return fault;  // count_vm_vma_lock_event(VMA_LOCK_SUCCESS)
        }
    }
    // lock_mmap: FAULT_FLAG_VMA_LOCK is not set on this path.
    return do_user_addr_fault_v5_4(mm, address, flags);
}

}  // namespace

vm_fault_t do_user_addr_fault(mm_struct* mm, unsigned long address, unsigned flags) {
    if (mm->variants.fault_entry == user_addr_fault::v5_4_mmap_lock) return do_user_addr_fault_v5_4(mm, address, flags);
    return do_user_addr_fault_v6_6(mm, address, flags);
}

}  // namespace mm
MMCHECK_ENGINE_END
