// Fixed-size vector clocks over the model threads of one execution (at most
// max_threads), used both for data-race happens-before and for DPOR's dependence
// order. Fixed size: no allocation on the hot path.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

#include "checker/mc/access.h"

namespace mmcheck::mc {

struct vclock {
    std::array<std::uint32_t, max_threads> c{};

    void join(const vclock& o) {
        for (int i = 0; i < max_threads; ++i) c[i] = std::max(c[i], o.c[i]);
    }
    // Whether the event `tick` of thread t (its own clock value then) is ordered
    // before the holder of this clock.
    bool covers(int t, std::uint32_t tick) const { return c[t] >= tick; }
    bool operator==(const vclock&) const = default;
};

}  // namespace mmcheck::mc
