// How model code reports what the kernel would hit as a bug: a named violation
// with the call site; the engine ends the execution and keeps the trace.
#pragma once

#include <string>

#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel {

using mmcheck::violation_kind;

[[noreturn]] inline void report_violation(violation_kind kind, std::string message,
                                          const std::source_location& where =
                                              std::source_location::current()) {
    detail::violation(kind, std::move(message), where);
}

// VM_BUG_ON / WARN_ON in model code: a broken kernel assertion is a finding.
inline void VM_BUG_ON(bool condition, const char* what,
                      const std::source_location& where = std::source_location::current()) {
    if (condition) detail::violation(violation_kind::assertion, what, where);
}

}  // namespace kernel
MMCHECK_ENGINE_END
