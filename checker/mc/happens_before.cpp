// Vector-clock happens-before and FastTrack-style plain-access checks; see
// happens_before.h for the ordering rules.
#include "checker/mc/happens_before.h"

namespace mmcheck::mc {

void happens_before::atomic_load(int t, const object_state& o, bool acquire) {
    if (acquire)
        threads_[t].now.join(o.sync);
    else
        threads_[t].acquired.join(o.sync);
}

void happens_before::atomic_store(int t, object_state& o, bool release, bool rmw) {
    const vclock& published = release ? threads_[t].now : threads_[t].released;
    // An RMW continues the release sequence of the store it read; a plain store
    // starts a new one.
    if (rmw)
        o.sync.join(published);
    else
        o.sync = published;
}

void happens_before::fence(int t, bool acquire, bool release) {
    thread_clocks& self = threads_[t];
    if (acquire) self.now.join(self.acquired);
    if (release) self.released = self.now;
}

void happens_before::lock_acquired(int t, const object_state& o, bool exclusive) {
    threads_[t].now.join(o.sync);
    // A writer is ordered after every reader that left; readers are not ordered
    // after one another.
    if (exclusive) threads_[t].now.join(o.reader_sync);
}

void happens_before::lock_released(int t, object_state& o, bool exclusive) {
    if (exclusive)
        o.sync = threads_[t].now;
    else
        o.reader_sync.join(threads_[t].now);
}

std::optional<race_found> happens_before::plain_read(int t, object_state& o, const std::source_location& where) {
    if (!ordered(t, o.last_write)) return race_found{o.last_write.thread, o.last_write.where, true};
    o.reads[t] = {static_cast<std::int8_t>(t), threads_[t].now.c[t], where};
    return std::nullopt;
}

std::optional<race_found> happens_before::plain_write(int t, object_state& o, const std::source_location& where) {
    if (!ordered(t, o.last_write)) return race_found{o.last_write.thread, o.last_write.where, true};
    for (const plain_epoch& r : o.reads)
        if (!ordered(t, r)) return race_found{r.thread, r.where, false};
    o.last_write = {static_cast<std::int8_t>(t), threads_[t].now.c[t], where};
    o.reads = {};
    return std::nullopt;
}

}  // namespace mmcheck::mc
