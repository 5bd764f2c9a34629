#pragma once

MMCHECK_ENGINE_BEGIN
namespace kernel::backend {

// Orders the seam asks of a backend. `consume` stands for the kernel's address and
// data dependency ordering after READ_ONCE; backends without dependency tracking
// (Relacy, native C++) implement it as acquire, which is stronger: it can hide a bug
// that needs a reader without a dependency, never invent one.
enum class mo { relaxed, consume, acquire, release, acq_rel, seq_cst };

}  // namespace kernel::backend
MMCHECK_ENGINE_END
