// The kernel versions a run's paths follow. Each enumerator names the version or
// commit whose behaviour it models; a scenario variant picks one per path, so one
// scenario shows a bug on the old code and its absence on the fixed code.
#pragma once

#include "model/kernel/detail/engine_ns.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// __handle_mm_fault()'s pud-level path.
enum class handle_mm_fault_pud {
    // v5.4: after pmd_alloc() the pud is not re-checked; a huge pud faulted in by
    // another thread since the pud_none() check is used as a pmd table.
    v5_4_no_recheck,
    // 625110b5e9da (v5.5): pud_trans_unstable() after pmd_alloc(), goto retry_pud.
    fixed_625110b5e9da,
};

struct model_variants {
    handle_mm_fault_pud fault_pud = handle_mm_fault_pud::fixed_625110b5e9da;
};

}  // namespace mm
MMCHECK_ENGINE_END
