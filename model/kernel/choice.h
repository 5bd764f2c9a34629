// Nondeterminism the kernel gets from outside the protocol (an allocation that may
// fail, a driver that may fall back): the engines explore every answer.
#pragma once

#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel {

inline unsigned nondet_choice(unsigned n, const char* what,
                              const std::source_location& where = std::source_location::current()) {
    const unsigned pick = backend::choose(n, where);
    const detail::word packed = (detail::word(n) << 32) | pick;
    detail::record("choose", {what}, &detail::format_choice, packed, packed, where);
    return pick;
}

inline bool nondet_bool(const char* what, const std::source_location& where = std::source_location::current()) {
    return nondet_choice(2, what, where) == 1;
}

}  // namespace kernel
MMCHECK_ENGINE_END
