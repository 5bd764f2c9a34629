// See intermediate_values.h. Compiled once per engine like the rest of the seam.
#include "model/kernel/detail/intermediate_values.h"

#include <cstring>
#include <string>

#include "model/kernel/check.h"
#include "model/kernel/intermediate.h"

MMCHECK_ENGINE_BEGIN
namespace kernel {

namespace {

using detail::entry_hold;
using detail::entry_sighting;

bool same_class(const char* a, const char* b) { return a == b || std::strcmp(a, b) == 0; }

std::string site_text(const std::source_location& where) {
    return detail::source_path(where.file_name()) + ":" + std::to_string(where.line()) + " (" +
           detail::function_name(where.function_name()) + ")";
}

const detail::held_lock* hold_of(const detail::thread_state& t, const void* lock) {
    for (int i = 0; i < t.nheld; ++i)
        if (t.held[i].lock == lock) return &t.held[i];
    return nullptr;
}

bool written_in(const entry_hold& h, std::uint64_t value) {
    for (int i = 0; i < h.nwrites; ++i)
        if (h.writes[i].value == value) return true;
    return false;
}

std::string value_text(const entry_hold& h, std::uint64_t value) {
    return "'" + std::string(h.classes->classify(value)) + "' (" + h.classes->describe(value) + ")";
}

// The closing record's finding, empty when every sighting is in the class of
// the value before the hold or of the final one; `at` is then set to the
// write that stored the lying value.
std::string lie_in(const entry_hold& h, std::source_location& at) {
    if (h.nwrites < 2) return {};
    const std::uint64_t final_value = h.writes[h.nwrites - 1].value;
    const char* final_class = h.classes->classify(final_value);
    for (int i = 0; i < h.nsightings; ++i) {
        const entry_sighting& s = h.sightings[i];
        if (same_class(s.value_class, final_class)) continue;
        for (int w = 0; w < h.nwrites; ++w)
            if (h.writes[w].value == s.value) {
                at = h.writes[w].where;
                break;
            }
        return "thread " + std::to_string(s.reader) + " read the " + h.classes->kind + " " +
               kernel_label::to_string(h.name) +
               " without its lock at " + site_text(s.where) + " and saw " + value_text(h, s.value) +
               ", which thread " + std::to_string(h.holder) + " wrote at " + site_text(at) + " while holding " +
               kernel_label::to_string(h.lock_name) + " (taken at " + site_text(h.acquired_at) +
               "); in that hold the entry went from " + value_text(h, h.before) + " to " +
               value_text(h, final_value) + " in " + std::to_string(h.nwrites) +
               " writes: a lockless reader classifies the intermediate value as neither (keep the entry in its "
               "class while rewriting it, as pmdp_invalidate() keeps a huge pmd huge)";
    }
    return {};
}

}  // namespace

void note_locked_entry_write(const void* entry, const void* lock, const kernel_label::label& name, std::uint64_t before,
                             std::uint64_t after, const entry_classes& classes, const std::source_location& where) {
    detail::execution* exec = detail::current_execution();
    if (exec == nullptr || lock == nullptr) return;
    const int self = backend::thread_id();
    detail::thread_state& t = exec->threads[self];
    const detail::held_lock* hold = hold_of(t, lock);
    if (hold == nullptr) return;
    bool too_many = false;
    {
        backend::bookkeeping_guard guard;
        entry_hold* record = nullptr;
        for (entry_hold& h : exec->entry_writes.open)
            if (h.entry == entry && h.holder == self && h.acquisition == hold->acquisition) record = &h;
        if (record == nullptr) {
            entry_hold h;
            h.entry = entry;
            h.lock = lock;
            h.name = name;
            h.lock_name = hold->name;
            h.classes = &classes;
            h.holder = self;
            h.acquisition = hold->acquisition;
            h.acquired_at = hold->acquired_at;
            h.before = before;
            exec->entry_writes.open.push_back(h);
            ++t.open_entry_holds;
            record = &exec->entry_writes.open.back();
        }
        if (record->nwrites == entry_hold::max_writes)
            too_many = true;
        else
            record->writes[record->nwrites++] = {after, where};
    }
    if (too_many)
        detail::violation(violation_kind::internal_error,
                          "more than " + std::to_string(entry_hold::max_writes) + " writes to " +
                              kernel_label::to_string(name) + " in one hold of its lock",
                          where);
}

void forget_locked_entry_writes(const void* entry) {
    detail::execution* exec = detail::current_execution();
    if (exec == nullptr) return;
    const int self = backend::thread_id();
    detail::thread_state& t = exec->threads[self];
    backend::bookkeeping_guard guard;
    std::vector<entry_hold>& open = exec->entry_writes.open;
    for (std::size_t i = 0; i < open.size();) {
        if (open[i].entry != entry || open[i].holder != self) {
            ++i;
            continue;
        }
        open[i] = open.back();
        open.pop_back();
        --t.open_entry_holds;
    }
}

void note_entry_load(const void* entry, std::uint64_t value, const std::source_location& where) {
    detail::execution* exec = detail::current_execution();
    if (exec == nullptr) return;
    backend::bookkeeping_guard guard;
    if (exec->entry_writes.open.empty()) return;
    const int self = backend::thread_id();
    for (entry_hold& h : exec->entry_writes.open) {
        if (h.entry != entry || h.holder == self || !written_in(h, value)) continue;
        const char* value_class = h.classes->classify(value);
        if (same_class(value_class, h.classes->classify(h.before))) continue;
        bool known = false;
        for (int i = 0; i < h.nsightings; ++i) known = known || same_class(h.sightings[i].value_class, value_class);
        if (!known && h.nsightings < entry_hold::max_sightings)
            h.sightings[h.nsightings++] = {self, value, value_class, where};
    }
}

namespace detail {

void close_entry_holds(const held_lock& released, const std::source_location& where) {
    execution* exec = current_execution();
    if (exec == nullptr) return;
    const int self = backend::thread_id();
    thread_state& t = exec->threads[self];
    if (t.open_entry_holds == 0) return;
    std::string finding;
    std::source_location at = where;
    {
        backend::bookkeeping_guard guard;
        std::vector<entry_hold>& open = exec->entry_writes.open;
        for (std::size_t i = 0; i < open.size();) {
            const entry_hold& h = open[i];
            if (h.holder != self || h.lock != released.lock || h.acquisition != released.acquisition) {
                ++i;
                continue;
            }
            if (finding.empty()) finding = lie_in(h, at);
            open[i] = open.back();
            open.pop_back();
            --t.open_entry_holds;
        }
    }
    if (!finding.empty()) violation(violation_kind::lying_value, finding, at);
}

}  // namespace detail

}  // namespace kernel
MMCHECK_ENGINE_END
