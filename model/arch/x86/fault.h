// The user page-fault entry (arch/x86/mm/fault.c).
#pragma once

#include "model/mm/mm_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

vm_fault_t do_user_addr_fault(mm_struct* mm, unsigned long address, unsigned flags);

}  // namespace mm
MMCHECK_ENGINE_END
