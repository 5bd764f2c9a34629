// MMU notifiers: how the primary MMU tells secondary MMUs (KVM, device page
// tables) that CPU page-table entries change (include/linux/mmu_notifier.h and
// mm/mmu_notifier.c, v6.6), plus the range flag of the seed's 2019 posting.
//
// Two kinds of subscriber, as in the kernel: a struct mmu_notifier on the
// subscriptions' list gets invalidate_range_start/_end and change_pte; a struct
// mmu_interval_notifier covers one address interval and gets invalidate() with
// the collision-retry sequence count that drivers pair with hmm_range_fault()
// (mmu_interval_read_begin()/_retry()).
//
// MMU_NOTIFIER_USE_CHANGE_PTE is from Jérôme Glisse's 2019 posting "restore
// change_pte optimization" (seed thread 004; never merged): a caller that sets it
// promises that the bracketed update is one of rw->ro same pfn, ro->rw same pfn,
// or ro->ro new pfn, and delivers it with set_pte_at_notify(), so a subscriber
// with change_pte may keep its entry through the bracket and update it in place.
//
// Simplifications, stated once here: subscribers register before the threads
// start, so the list is a vector and the SRCU read side and the deferred
// insert/remove of interval notifiers (mn_itree_inv_end()'s deferred_list) are
// left out; the interval tree is a vector searched in order; every invalidation
// is blockable (the non-blocking OOM-reaper path is left out); the
// invalidate_range() (IOMMU TLB) and release callbacks are left out.
#pragma once

#include <vector>

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

enum mmu_notifier_event {
    MMU_NOTIFY_UNMAP = 0,
    MMU_NOTIFY_CLEAR,
    MMU_NOTIFY_PROTECTION_VMA,
    MMU_NOTIFY_PROTECTION_PAGE,
    MMU_NOTIFY_SOFT_DIRTY,
    MMU_NOTIFY_RELEASE,
    MMU_NOTIFY_MIGRATE,
};

inline constexpr unsigned MMU_NOTIFIER_RANGE_BLOCKABLE = 1u << 0;
// The seed's 2019 posting (see the file comment).
inline constexpr unsigned MMU_NOTIFIER_USE_CHANGE_PTE = 1u << 1;

struct mmu_notifier_range {
    vm_area_struct* vma = nullptr;
    mm_struct* mm = nullptr;
    unsigned long start = 0;
    unsigned long end = 0;
    unsigned flags = 0;
    mmu_notifier_event event = MMU_NOTIFY_UNMAP;
    void* owner = nullptr;  // migrate_pgmap_owner
};

struct mmu_notifier;
struct mmu_notifier_ops {
    int (*invalidate_range_start)(mmu_notifier* subscription, const mmu_notifier_range* range) = nullptr;
    void (*invalidate_range_end)(mmu_notifier* subscription, const mmu_notifier_range* range) = nullptr;
    void (*change_pte)(mmu_notifier* subscription, mm_struct* mm, unsigned long address, pte_t pte) = nullptr;
};
struct mmu_notifier {
    const mmu_notifier_ops* ops = nullptr;
    mm_struct* mm = nullptr;
};

struct mmu_interval_notifier;
struct mmu_interval_notifier_ops {
    bool (*invalidate)(mmu_interval_notifier* interval_sub, const mmu_notifier_range* range,
                       unsigned long cur_seq) = nullptr;
};
struct mmu_interval_notifier {
    unsigned long start = 0, last = 0;  // interval_tree node: [start, last]
    const mmu_interval_notifier_ops* ops = nullptr;
    mm_struct* mm = nullptr;
    // Written with WRITE_ONCE by mmu_interval_set_seq() under the driver's lock;
    // mmu_interval_read_retry() reads it plainly under that lock.
    kernel::marked<unsigned long> invalidate_seq{0, {"interval_sub->invalidate_seq"}};
};

struct mmu_notifier_subscriptions {
    std::vector<mmu_notifier*> list;
    bool has_itree = false;
    std::vector<mmu_interval_notifier*> itree;
    kernel::spinlock_t lock{{"subscriptions->lock"}};
    // Odd while an invalidation covers an interval notifier (see mm/mmu_notifier.c).
    kernel::marked<unsigned long> invalidate_seq{2, {"subscriptions->invalidate_seq"}};
    kernel::plain<unsigned long> active_invalidate_ranges{0, {"subscriptions->active_invalidate_ranges"}};
    // Checker only (under backend::bookkeeping_guard): the brackets now open and
    // the thread that opened each, for change_pte's bracket check.
    struct open_bracket {
        const mmu_notifier_range* range;
        int thread;
    };
    std::vector<open_bracket> open;
};

// mmu_notifier_register() — mm/mmu_notifier.c v6.6, before the threads start
// (no mmap_lock or mm_take_all_locks()).
int mmu_notifier_register(mmu_notifier* subscription, mm_struct* mm);
// mmu_interval_notifier_insert() — mm/mmu_notifier.c v6.6, before the threads
// start: the deferred insert during an invalidation is left out.
int mmu_interval_notifier_insert(mmu_interval_notifier* interval_sub, mm_struct* mm, unsigned long start,
                                 unsigned long length, const mmu_interval_notifier_ops* ops);

unsigned long mmu_interval_read_begin(mmu_interval_notifier* interval_sub);
// include/linux/mmu_notifier.h v6.6: read_retry() under the driver's lock (a
// plain read), check_retry() anywhere (READ_ONCE), set_seq() from invalidate().
bool mmu_interval_read_retry(mmu_interval_notifier* interval_sub, unsigned long seq);
bool mmu_interval_check_retry(mmu_interval_notifier* interval_sub, unsigned long seq);
void mmu_interval_set_seq(mmu_interval_notifier* interval_sub, unsigned long cur_seq);

// mmu_notifier_range_init() — include/linux/mmu_notifier.h v6.6 (the 2019
// posting's form: the flags argument carries MMU_NOTIFIER_USE_CHANGE_PTE).
void mmu_notifier_range_init(mmu_notifier_range* range, mmu_notifier_event event, unsigned flags,
                             vm_area_struct* vma, mm_struct* mm, unsigned long start, unsigned long end);
inline bool mmu_notifier_range_blockable(const mmu_notifier_range* range) {
    return range->flags & MMU_NOTIFIER_RANGE_BLOCKABLE;
}
// mmu_notifier_range_use_change_pte() — the 2019 posting.
inline bool mmu_notifier_range_use_change_pte(const mmu_notifier_range* range) {
    return range->flags & MMU_NOTIFIER_USE_CHANGE_PTE;
}

void mmu_notifier_invalidate_range_start(mmu_notifier_range* range);
void mmu_notifier_invalidate_range_end(mmu_notifier_range* range);
// mmu_notifier_change_pte(). A call outside a bracket of the calling thread that
// covers address is reported as illegal-change-pte: since v4.13 (2017, when
// invalidate_page() went away) change_pte is always bracketed, and subscribers
// without a change_pte callback learn of the update only from the bracket.
void mmu_notifier_change_pte(mm_struct* mm, unsigned long address, pte_t pte);
// set_pte_at_notify() — include/linux/mmu_notifier.h v6.6: change_pte, then set_pte_at.
void set_pte_at_notify(mm_struct* mm, unsigned long address, ptep_t ptep, pte_t pte);

}  // namespace mm
MMCHECK_ENGINE_END
