// smp_mb / smp_wmb / smp_rmb and the compiler barrier().
#pragma once

#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel {

inline void smp_mb(const std::source_location& where = std::source_location::current()) {
    backend::fence(backend::mo::seq_cst, where);
    detail::record("smp_mb", {"fence"}, nullptr, 0, 0, where);
}
// C11 has no store-store-only fence; a release fence is stronger than smp_wmb.
inline void smp_wmb(const std::source_location& where = std::source_location::current()) {
    backend::fence(backend::mo::release, where);
    detail::record("smp_wmb", {"fence"}, nullptr, 0, 0, where);
}
// Likewise an acquire fence is stronger than smp_rmb.
inline void smp_rmb(const std::source_location& where = std::source_location::current()) {
    backend::fence(backend::mo::acquire, where);
    detail::record("smp_rmb", {"fence"}, nullptr, 0, 0, where);
}
// A compiler barrier orders nothing between CPUs; the engines already never
// reorder a thread's own operations, so it is a no-op kept for line-by-line reading.
inline void barrier() {}

}  // namespace kernel
MMCHECK_ENGINE_END
