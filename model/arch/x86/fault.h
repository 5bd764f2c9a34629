// The user page-fault entry (arch/x86/mm/fault.c).
#pragma once

#include "model/mm/mm_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// What do_user_addr_fault() returns where the kernel sends SIGSEGV
// (bad_area_access_error(): a write to a VMA without VM_WRITE); the value is
// mm.h's VM_FAULT_SIGSEGV.
inline constexpr vm_fault_t VM_FAULT_SIGSEGV = 0x000040;

vm_fault_t do_user_addr_fault(mm_struct* mm, unsigned long address, unsigned flags);

}  // namespace mm
MMCHECK_ENGINE_END
