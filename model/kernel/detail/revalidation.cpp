// See revalidation.h. Compiled once per engine like the rest of the seam.
#include "model/kernel/detail/revalidation.h"

#include <string>

#include "model/kernel/revalidate.h"

MMCHECK_ENGINE_BEGIN
namespace kernel {

void note_entry_read(const void* entry) {
    detail::execution* exec = detail::current_execution();
    if (exec == nullptr) return;
    detail::thread_state& t = exec->threads[backend::thread_id()];
    for (detail::entry_read& r : t.entry_reads)
        if (r.entry == entry) {
            r.after_acquisition = t.acquisitions;
            return;
        }
    t.entry_reads.push_back({entry, t.acquisitions});
}

void check_entry_write(const void* entry, const void* lock, const detail::label& name, const char* op,
                       const std::source_location& where) {
    detail::execution* exec = detail::current_execution();
    if (exec == nullptr || lock == nullptr) return;
    const detail::thread_state& t = exec->threads[backend::thread_id()];
    const detail::held_lock* hold = nullptr;
    for (int i = 0; i < t.nheld; ++i)
        if (t.held[i].lock == lock) hold = &t.held[i];
    if (hold == nullptr) return;
    for (const detail::entry_read& r : t.entry_reads)
        if (r.entry == entry && r.after_acquisition >= hold->acquisition) return;
    detail::violation(violation_kind::stale_revalidation,
                      std::string(op) + " on " + kernel_label::to_string(name) + " under " +
                          kernel_label::to_string(hold->name) + " (taken at " +
                          detail::source_path(hold->acquired_at.file_name()) + ":" +
                          std::to_string(hold->acquired_at.line()) +
                          ") without reading the entry since taking the lock: the snapshot that chose this "
                          "path was not re-checked (pmd_same()/pte_same()/pmd_none() under the lock)",
                      where);
}

}  // namespace kernel
MMCHECK_ENGINE_END
