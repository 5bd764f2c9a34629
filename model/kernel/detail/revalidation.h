// The revalidate-after-locking check (missing-revalidation): a thread that
// writes an entry while holding the entry's lock must have read that entry
// since it took the lock, which is what the kernel's pmd_same()/pte_same()/
// pmd_none() re-check under the ptl does with the snapshot that chose the path.
// The page-table layer (model/mm/pgtable.cpp) reports every entry read and
// every entry write with the entry's lock; this file keeps, per thread, when
// each entry was last read, counted in lock acquisitions.
//
// What counts as a read: any load of the entry, an exchange (xchg returns the
// value it replaced, so the caller acts on the current value), and the thread's
// own earlier write (it knows the value it stored). Writes made without holding
// the entry's lock are not this check's business.
#pragma once

#include "model/kernel/detail/engine_ns.h"

MMCHECK_ENGINE_BEGIN
namespace kernel::detail {

// An entry a thread read, and its lock-acquisition count at that moment.
struct entry_read {
    const void* entry = nullptr;
    unsigned after_acquisition = 0;
};

}  // namespace kernel::detail
MMCHECK_ENGINE_END
