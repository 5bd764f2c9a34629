// The seam side of the no-lying-intermediate-value check (see
// model/kernel/detail/intermediate_values.h): the page-table layer reports the
// writes it makes under an entry's lock and the loads readers make.
#pragma once

#include <cstdint>
#include <source_location>

#include "model/kernel/detail/intermediate_values.h"
#include "model/kernel/detail/label.h"

MMCHECK_ENGINE_BEGIN
namespace kernel {

using detail::entry_classes;

// The running thread replaces `before` with `after` in `entry`, whose lock is
// `lock` (null: none known). Counted only while the thread holds `lock`.
void note_locked_entry_write(const void* entry, const void* lock, const kernel_label::label& name, std::uint64_t before,
                             std::uint64_t after, const entry_classes& classes, const std::source_location& where);
// The running thread's writes to `entry` so far in its current hold of the
// entry's lock are exempt from the check: lockless readers may see them. Only
// for a kernel path that rewrites an entry in steps on purpose and says why at
// its call site; a later write in the same hold is checked from the value
// left now.
void forget_locked_entry_writes(const void* entry);
// The running thread loaded `value` from `entry`.
void note_entry_load(const void* entry, std::uint64_t value, const std::source_location& where);

}  // namespace kernel
MMCHECK_ENGINE_END
