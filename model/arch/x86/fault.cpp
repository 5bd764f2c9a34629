#include "model/arch/x86/fault.h"

#include "model/mm/memory.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// do_user_addr_fault() — arch/x86/mm/fault.c v5.4, reduced to the mmap_lock
// bracket around find_vma() and handle_mm_fault(): no retry, no signals.
vm_fault_t do_user_addr_fault(mm_struct* mm, unsigned long address, unsigned flags) {
    kernel::down_read(&mm->mmap_lock);
    vm_area_struct* vma = find_vma(mm, address);
    vm_fault_t fault = VM_FAULT_SIGBUS;
    if (vma != nullptr && vma->vm_start <= address) fault = handle_mm_fault(vma, address, flags);
    kernel::up_read(&mm->mmap_lock);
    return fault;
}

}  // namespace mm
MMCHECK_ENGINE_END
