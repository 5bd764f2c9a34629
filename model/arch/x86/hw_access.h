// The MMU as a scenario thread: a user access that walks the page tables and
// sets the accessed and dirty bits of the leaf it uses, as x86 hardware does
// (Intel SDM vol. 3A 4.8, "Accessed and Dirty Flags").
//
// Simplification, stated once here: no TLB and no paging-structure caches:
// every access walks the tables afresh. The walk reads each entry once (a
// locked-free hardware read, READ_ONCE in the model) and the leaf's A/D update
// is one cmpxchg that fails, and is retried from the walk, if the entry changed;
// hardware never writes a non-present entry or, in the model, a table entry
// (x86 also sets A on table entries: no modeled path reads those bits).
#pragma once

#include "model/mm/mm_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

enum class hw_access_result { done, page_fault };

// One load (write = false) or store from user mode at address.
hw_access_result hw_access(mm_struct* mm, unsigned long address, bool write);
// The same, giving the pfn the access used when it is done (a TLB fill).
hw_access_result hw_access(mm_struct* mm, unsigned long address, bool write, unsigned long* pfn);

}  // namespace mm
MMCHECK_ENGINE_END
