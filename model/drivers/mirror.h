// A secondary MMU: a device (or KVM-like) page table mirroring a few pages of
// one mm. It follows the mmu notifiers (an invalidation clears its entries,
// change_pte updates one) and faults through the primary with hmm_range_fault(),
// as a driver does after Documentation/mm/hmm.rst (v6.6): read_begin, snapshot
// under mmap_lock, then its own lock and mmu_interval_read_retry().
//
// It also carries the reusable secondary-MMU checks:
// - coherence: after invalidate_range_end() (and at the end of a run) no
//   mirror entry maps another pfn than, or more permission than, the CPU entry;
//   a snapshot is mapped only if its interval sequence held
//   (secondary-mmu-incoherent);
// - change_pte: in a bracket flagged MMU_NOTIFIER_USE_CHANGE_PTE the update must
//   be rw->ro same pfn, ro->rw same pfn or ro->ro new pfn (illegal-change-pte;
//   the bracket itself is checked by mmu_notifier_change_pte()).
//
// Simplification: the device's entries are one word each (pfn, valid, write)
// and the device never accesses memory; a stale entry is the finding itself.
#pragma once

#include <array>

#include "model/mm/hmm.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

inline constexpr unsigned MIRROR_PAGES = 4;

// One device page-table entry.
struct mirror_pte {
    std::uint32_t pfn = 0;
    bool valid = false;
    bool write = false;
};
std::string describe(mirror_pte e);

struct mirror;
// container_of() for the two subscriptions a mirror embeds.
struct mirror_interval_notifier : mmu_interval_notifier {
    mirror* owner = nullptr;
};
struct mirror_subscription : mmu_notifier {
    mirror* owner = nullptr;
};

struct mirror {
    // use_change_pte: the subscriber keeps its entries through a bracket flagged
    // MMU_NOTIFIER_USE_CHANGE_PTE and lets change_pte update them (KVM with the
    // 2019 posting); otherwise every invalidation clears (HMM drivers, v6.6 KVM).
    mirror(mm_struct* mm, unsigned long start, bool use_change_pte);
    mm_struct* mm;
    unsigned long start;
    bool use_change_pte;
    kernel::spinlock_t lock{{"mirror->lock"}};  // driver->update; nothing sleeps under it
    std::array<kernel::plain<mirror_pte>, MIRROR_PAGES> pt;
    // Entries kept through a flagged bracket, waiting for change_pte (under lock).
    std::array<kernel::plain<bool>, MIRROR_PAGES> pending_change_pte;
    mirror_interval_notifier notifier;
    mirror_subscription mn;
};

// Registers the interval notifier and the list subscriber (before the threads).
void mirror_register(mirror* m);
// Sets an entry before the threads start, as an earlier device fault left it.
void mirror_map_initial(mirror* m, unsigned long address, unsigned long pfn, bool write);
// The device's fault on address: hmm_range_fault() and mapping the snapshot, in
// the form the mm's variants name (mirror_driver). Returns 0 or -errno.
int mirror_fault(mirror* m, unsigned long address, bool write);

// The coherence check over [start, end): the caller holds m->lock or no thread runs.
void check_mirror_coherent(mirror* m, unsigned long start, unsigned long end, const char* when);
// Whether change_pte may carry old -> new under MMU_NOTIFIER_USE_CHANGE_PTE.
bool change_pte_transition_allowed(mirror_pte old_entry, pte_t new_pte);

}  // namespace mm
MMCHECK_ENGINE_END
