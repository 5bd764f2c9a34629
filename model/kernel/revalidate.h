// The seam side of the revalidate-after-locking check (see
// model/kernel/detail/revalidation.h): the page-table layer reports entry reads
// and writes; model code states a legitimate exception with
// entry_known_under_lock(), next to a comment saying why the kernel may write
// without a re-check there.
#pragma once

#include <source_location>

#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel {

// The running thread read `entry` (or exchanged it, or wrote it itself).
void note_entry_read(const void* entry);
// The running thread is about to store to `entry`, whose lock is `lock` (null:
// none known). Holding `lock` without having read `entry` since taking it is a
// missing-revalidation violation.
void check_entry_write(const void* entry, const void* lock, const detail::label& name, const char* op,
                       const std::source_location& where);
// An exception: the thread knows `entry`'s value under its lock without reading
// it (it is the only thread that can reach the entry, ...).
inline void entry_known_under_lock(const void* entry) { note_entry_read(entry); }

}  // namespace kernel
MMCHECK_ENGINE_END
