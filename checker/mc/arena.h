// The per-execution arena: what the engine keeps about each seam object during one
// execution (lock holders, happens-before clocks, a write version for retry loops),
// indexed by small handles. Objects get a slot on first use in an execution;
// resetting the arena for the next execution is one clear().
#pragma once

#include <array>
#include <cstdint>
#include <source_location>
#include <vector>

#include "checker/mc/access.h"
#include "checker/mc/vclock.h"

namespace mmcheck::mc {

// One plain access as FastTrack keeps it: who, at which of its clock ticks, where.
struct plain_epoch {
    std::int8_t thread = -1;
    std::uint32_t tick = 0;
    std::source_location where;
};

struct object_state {
    const void* address = nullptr;  // the backend object, to name locks in reports
    std::uint32_t version = 0;      // bumped by every step that changes the object
    // Locks.
    std::int8_t owner = -1;         // exclusive holder
    thread_mask readers = 0;        // shared holders (rwsem)
    std::array<std::int32_t, max_threads> acquired_at{-1, -1, -1, -1};  // event of each holder's acquire
    // Happens-before (checker/mc/happens_before.h).
    vclock sync;         // atomics: release-sequence clock; locks: last exclusive release
    vclock reader_sync;  // rwsem: join of the shared releases
    plain_epoch last_write;
    std::array<plain_epoch, max_threads> reads;
};

class arena {
public:
    // Slots 0 and 1 are the global fence object and RCU (access.h).
    void reset() {
        objects_.clear();
        objects_.emplace_back();
        objects_.emplace_back();
        ++generation_;
    }
    // The object's slot in this execution, assigned on first use.
    std::uint32_t slot(std::uint32_t& slot, std::uint32_t& generation, const void* address) {
        if (generation != generation_ || slot >= objects_.size()) {
            generation = generation_;
            slot = static_cast<std::uint32_t>(objects_.size());
            objects_.emplace_back().address = address;
        }
        return slot;
    }
    object_state& operator[](std::uint32_t slot) { return objects_[slot]; }
    const object_state& operator[](std::uint32_t slot) const { return objects_[slot]; }
    std::size_t size() const { return objects_.size(); }

private:
    std::vector<object_state> objects_;
    // Handles of a previous execution (or a previous run) never match: every arena
    // starts from its own address-derived generation and counts up.
    std::uint32_t generation_ = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(this) >> 4) | 1u;
};

}  // namespace mmcheck::mc
