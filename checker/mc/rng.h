// A small deterministic generator (splitmix64): the same seed gives the same
// schedules on every machine and standard library, unlike std::uniform_*_distribution.
#pragma once

#include <cstdint>

#include "checker/mc/access.h"

namespace mmcheck::mc {

class rng {
public:
    explicit rng(std::uint64_t seed = 0) : s_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n) (n > 0; the modulo bias is negligible for small n).
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    // A uniformly chosen thread of a non-empty mask.
    int pick(thread_mask m) {
        int k = static_cast<int>(below(static_cast<std::uint64_t>(__builtin_popcount(m))));
        for (int t = 0;; ++t)
            if ((m & bit(t)) && k-- == 0) return t;
    }

private:
    std::uint64_t s_;
};

}  // namespace mmcheck::mc
