#include "model/arch/x86/fault.h"

#include "model/mm/memory.h"
#include "model/mm/vma_lock.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

namespace {

// access_error() — arch/x86/mm/fault.c v6.6 (v5.4 alike), the write half: a
// write needs VM_WRITE. The read half (vma_is_accessible(), X86_PF_PROT) is
// left out: the model's VMAs need not carry VM_READ, and no modeled read
// fault is on a present pte. Shadow stacks, pkeys and SGX are not modeled.
bool access_error(unsigned flags, const vm_area_struct* vma) {
    if (flags & FAULT_FLAG_WRITE) return !(vma->vm_flags & VM_WRITE);  // X86_PF_WRITE
    return false;
}

// do_user_addr_fault() — arch/x86/mm/fault.c v5.4, reduced to the mmap_lock
// bracket around find_vma(), access_error() and handle_mm_fault(): no retry;
// the signals are the fault codes returned.
vm_fault_t do_user_addr_fault_v5_4(mm_struct* mm, unsigned long address, unsigned flags) {
    kernel::down_read(&mm->mmap_lock);
    vm_area_struct* vma = find_vma(mm, address);
    vm_fault_t fault = VM_FAULT_SIGBUS;
    if (vma != nullptr && vma->vm_start <= address) {
        // bad_area_access_error(): SIGSEGV.
        fault = access_error(flags, vma) ? VM_FAULT_SIGSEGV : handle_mm_fault(vma, address, flags);
    }
    kernel::up_read(&mm->mmap_lock);
    return fault;
}

// do_user_addr_fault() — arch/x86/mm/fault.c v6.6: the per-VMA lock first, then
// the mmap_lock form (lock_mm_and_find_vma(), reduced as in v5.4 above); a
// VMA access_error() refuses is unlocked and looked at again on mmap_lock.
// Left out: signals, VM_FAULT_COMPLETED (no path returns it) and the mmap_lock
// path's retry loop (nothing under mmap_lock returns VM_FAULT_RETRY here).
vm_fault_t do_user_addr_fault_v6_6(mm_struct* mm, unsigned long address, unsigned flags) {
    flags |= FAULT_FLAG_USER;  // every modeled fault comes from user mode
    vm_area_struct* vma = lock_vma_under_rcu(mm, address);
    if (vma && access_error(flags, vma)) {
        vma_end_read(vma);
        vma = nullptr;  // goto lock_mmap
    }
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
