// The no-lying-intermediate-value check (lying-intermediate-value): while a
// thread holds an entry's lock and writes the entry more than once, every value
// but the last is transient, yet lockless readers (walkers under mmap_lock for
// read, GUP-fast, the MMU) may load it. The kernel's rule is that such a
// transient value must classify, for those readers, like the value before the
// hold or like the final one: pmdp_invalidate() keeps a huge pmd huge while it
// is rewritten, where a clear-then-set would show pmd_none() and send a zap
// walker past a mapped THP (ced108037c2a).
//
// The page-table layer (model/mm/pgtable.cpp) reports each write it makes under
// the entry's lock, with the value it replaces, and each load of pud and pmd
// entries. A thread's writes to one entry in one hold are a record, open from
// the first write: a load by another thread of a value written there is a
// sighting, kept when the readers' classifier puts it in another class than the
// value before the hold. When the lock is released, a record with two writes or
// more whose sighting is in neither the before nor the final class is the
// violation. A record with one write is dropped: a reader saw the old or the
// new value.
//
// Scope, stated once here: pud and pmd entries only. pte entries are rewritten
// in two steps under the ptl by design (ptep_modify_prot_start()/commit(),
// ptep_clear_flush() then set_pte_at()): a lockless reader that sees the
// transient pte_none() faults and waits for the ptl, so that is the kernel's
// protocol, not a lie. Loads of the entry by the holder itself are not
// sightings (it knows its own values).
#pragma once

#include <array>
#include <cstdint>
#include <source_location>
#include <string>
#include <vector>

#include "model/kernel/detail/engine_ns.h"
#include "model/kernel/detail/label.h"

MMCHECK_ENGINE_BEGIN
namespace kernel::detail {

// How the entry's lockless readers tell its values apart (the page-table
// layer's classifier), how a value is printed, and what the entry is ("pmd").
struct entry_classes {
    const char* (*classify)(std::uint64_t value);
    std::string (*describe)(std::uint64_t value);
    const char* kind;
};

struct entry_write {
    std::uint64_t value = 0;
    std::source_location where{};
};

struct entry_sighting {
    int reader = 0;
    std::uint64_t value = 0;
    const char* value_class = "";
    std::source_location where{};
};

// One thread's writes to one entry within one hold of the entry's lock.
struct entry_hold {
    static constexpr int max_writes = 8;
    static constexpr int max_sightings = 4;

    const void* entry = nullptr;
    const void* lock = nullptr;
    kernel_label::label name;
    kernel_label::label lock_name;
    const entry_classes* classes = nullptr;
    int holder = 0;
    unsigned acquisition = 0;  // the holder's held_lock::acquisition of this hold
    std::source_location acquired_at{};
    std::uint64_t before = 0;  // the value the hold's first write replaced
    std::array<entry_write, max_writes> writes{};
    int nwrites = 0;
    // Sightings in a class other than the before value's, one per class.
    std::array<entry_sighting, max_sightings> sightings{};
    int nsightings = 0;
};

struct entry_holds {
    std::vector<entry_hold> open;
    void clear() { open.clear(); }
};

// The running thread releases `released` (lockdep.cpp, before the lock is
// dropped): its records for that hold close, and a lying sighting among them
// is reported.
struct held_lock;
void close_entry_holds(const held_lock& released, const std::source_location& where);

}  // namespace kernel::detail
MMCHECK_ENGINE_END
