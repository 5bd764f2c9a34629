// The systematic engines (those that explore interleavings and replay them) this
// test binary was built with: Relacy and the in-house mc, when in MMCHECK_ENGINES.
#pragma once

#include <vector>

#include "checker/core/run.h"

namespace mmcheck {

inline std::vector<engine_kind> systematic_engines() {
    std::vector<engine_kind> engines;
#ifdef MMCHECK_TEST_ENGINE_relacy
    engines.push_back(engine_kind::relacy);
#endif
#ifdef MMCHECK_TEST_ENGINE_mc
    engines.push_back(engine_kind::mc);
#endif
    return engines;
}

}  // namespace mmcheck
