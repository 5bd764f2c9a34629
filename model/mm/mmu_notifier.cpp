// See mmu_notifier.h: mm/mmu_notifier.c v6.6, the interval-notifier sequence
// count (mn_itree_*) and the list subscribers (mn_hlist_*).
#include "model/mm/mmu_notifier.h"

#include <algorithm>
#include <string>

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

mmu_notifier_subscriptions* subscriptions_of(mm_struct* mm) {
    if (!mm->notifier_subscriptions) mm->notifier_subscriptions = std::make_shared<mmu_notifier_subscriptions>();
    return mm->notifier_subscriptions.get();
}

// mn_itree_is_invalidating() — caller holds subscriptions->lock.
bool mn_itree_is_invalidating(mmu_notifier_subscriptions* subscriptions) {
    return READ_ONCE(subscriptions->invalidate_seq) & 1;
}

// interval_tree_iter_first()/_next(): the model's tree is a vector.
mmu_interval_notifier* itree_first(mmu_notifier_subscriptions* subscriptions, unsigned long start,
                                   unsigned long last, std::size_t from = 0) {
    for (std::size_t i = from; i < subscriptions->itree.size(); ++i) {
        mmu_interval_notifier* sub = subscriptions->itree[i];
        if (sub->start <= last && start <= sub->last) return sub;
    }
    return nullptr;
}

// mn_itree_inv_start_range() — mm/mmu_notifier.c v6.6.
mmu_interval_notifier* mn_itree_inv_start_range(mmu_notifier_subscriptions* subscriptions,
                                                const mmu_notifier_range* range, unsigned long* seq) {
    spin_lock(&subscriptions->lock);
    subscriptions->active_invalidate_ranges.write(subscriptions->active_invalidate_ranges.read() + 1);
    mmu_interval_notifier* res = itree_first(subscriptions, range->start, range->end - 1);
    if (res) WRITE_ONCE(subscriptions->invalidate_seq, READ_ONCE(subscriptions->invalidate_seq) | 1);
    *seq = READ_ONCE(subscriptions->invalidate_seq);
    spin_unlock(&subscriptions->lock);
    return res;
}

// mn_itree_inv_next() — mm/mmu_notifier.c v6.6.
mmu_interval_notifier* mn_itree_inv_next(mmu_notifier_subscriptions* subscriptions,
                                         mmu_interval_notifier* interval_sub, const mmu_notifier_range* range) {
    const auto it = std::find(subscriptions->itree.begin(), subscriptions->itree.end(), interval_sub);
    return itree_first(subscriptions, range->start, range->end - 1, (it - subscriptions->itree.begin()) + 1);
}

// mn_itree_inv_end() — mm/mmu_notifier.c v6.6 (no deferred list; the
// wake_up_all() is the store the waiters of mmu_interval_read_begin() poll).
void mn_itree_inv_end(mmu_notifier_subscriptions* subscriptions) {
    spin_lock(&subscriptions->lock);
    const unsigned long active = subscriptions->active_invalidate_ranges.read() - 1;
    subscriptions->active_invalidate_ranges.write(active);
    if (active || !mn_itree_is_invalidating(subscriptions)) {
        spin_unlock(&subscriptions->lock);
        return;
    }
    /* Make invalidate_seq even */
    WRITE_ONCE(subscriptions->invalidate_seq, READ_ONCE(subscriptions->invalidate_seq) + 1);
    spin_unlock(&subscriptions->lock);
}

// mn_itree_invalidate() — mm/mmu_notifier.c v6.6, blockable ranges only.
void mn_itree_invalidate(mmu_notifier_subscriptions* subscriptions, const mmu_notifier_range* range) {
    unsigned long cur_seq = 0;
    for (mmu_interval_notifier* interval_sub = mn_itree_inv_start_range(subscriptions, range, &cur_seq);
         interval_sub; interval_sub = mn_itree_inv_next(subscriptions, interval_sub, range)) {
        const bool ret = interval_sub->ops->invalidate(interval_sub, range, cur_seq);
        VM_BUG_ON(!ret && mmu_notifier_range_blockable(range), "WARN_ON(mmu_notifier_range_blockable(range))");
    }
}

void note_bracket(mmu_notifier_subscriptions* subscriptions, const mmu_notifier_range* range, bool open) {
    backend::bookkeeping_guard guard;
    auto& brackets = subscriptions->open;
    if (open) {
        brackets.push_back({range, backend::thread_id()});
        return;
    }
    brackets.erase(std::remove_if(brackets.begin(), brackets.end(),
                                  [range](const auto& b) { return b.range == range; }),
                   brackets.end());
}

bool in_own_bracket(mmu_notifier_subscriptions* subscriptions, unsigned long address) {
    backend::bookkeeping_guard guard;
    const int self = backend::thread_id();
    return std::any_of(subscriptions->open.begin(), subscriptions->open.end(), [&](const auto& b) {
        return b.thread == self && b.range->start <= address && address < b.range->end;
    });
}

}  // namespace

int mmu_notifier_register(mmu_notifier* subscription, mm_struct* mm) {
    subscription->mm = mm;
    subscriptions_of(mm)->list.push_back(subscription);
    return 0;
}

int mmu_interval_notifier_insert(mmu_interval_notifier* interval_sub, mm_struct* mm, unsigned long start,
                                 unsigned long length, const mmu_interval_notifier_ops* ops) {
    mmu_notifier_subscriptions* subscriptions = subscriptions_of(mm);
    interval_sub->mm = mm;
    interval_sub->ops = ops;
    interval_sub->start = start;
    if (length == 0) return -75;  // -EOVERFLOW
    interval_sub->last = start + length - 1;
    subscriptions->has_itree = true;
    spin_lock(&subscriptions->lock);
    VM_BUG_ON(subscriptions->active_invalidate_ranges.read() != 0,
              "mmu_interval_notifier_insert() during an invalidation: the deferred add is not modeled");
    // The starting seq for a subscription not under invalidation should be odd,
    // not equal to the current invalidate_seq.
    WRITE_ONCE(interval_sub->invalidate_seq, READ_ONCE(subscriptions->invalidate_seq) - 1);
    subscriptions->itree.push_back(interval_sub);
    spin_unlock(&subscriptions->lock);
    return 0;
}

// mmu_interval_read_begin() — mm/mmu_notifier.c v6.6. If an invalidation that
// covers this interval is running, wait for it to end (wait_event()).
unsigned long mmu_interval_read_begin(mmu_interval_notifier* interval_sub) {
    mmu_notifier_subscriptions* subscriptions = interval_sub->mm->notifier_subscriptions.get();
    spin_lock(&subscriptions->lock);
    /* Pairs with the WRITE_ONCE in mmu_interval_set_seq() */
    const unsigned long seq = READ_ONCE(interval_sub->invalidate_seq);
    bool is_invalidating = seq == READ_ONCE(subscriptions->invalidate_seq);
    spin_unlock(&subscriptions->lock);
    // wait_event(wq, READ_ONCE(invalidate_seq) != seq): the waiter and
    // wake_up_all() meet on the wait-queue lock, which orders every store before
    // mn_itree_inv_end() before the waiter's return. The model polls under
    // subscriptions->lock, which mn_itree_inv_end() holds for its store: the same
    // ordering (a bare READ_ONCE poll would let the snapshot read stale ptes).
    while (is_invalidating) {
        backend::retry_hint(std::source_location::current());
        spin_lock(&subscriptions->lock);
        is_invalidating = READ_ONCE(subscriptions->invalidate_seq) == seq;
        spin_unlock(&subscriptions->lock);
    }
    // mmu_interval_read_retry() may already be true here; the caller's loop
    // gives the global time bound.
    return seq;
}

bool mmu_interval_read_retry(mmu_interval_notifier* interval_sub, unsigned long seq) {
    return plain_deref(interval_sub->invalidate_seq) != seq;
}

bool mmu_interval_check_retry(mmu_interval_notifier* interval_sub, unsigned long seq) {
    /* Pairs with the WRITE_ONCE in mmu_interval_set_seq() */
    return READ_ONCE(interval_sub->invalidate_seq) != seq;
}

void mmu_interval_set_seq(mmu_interval_notifier* interval_sub, unsigned long cur_seq) {
    WRITE_ONCE(interval_sub->invalidate_seq, cur_seq);
}

void mmu_notifier_range_init(mmu_notifier_range* range, mmu_notifier_event event, unsigned flags,
                             vm_area_struct* vma, mm_struct* mm, unsigned long start, unsigned long end) {
    // The model's invalidations may all block (see the file comment).
    *range = {vma, mm, start, end, flags | MMU_NOTIFIER_RANGE_BLOCKABLE, event, nullptr};
}

// mmu_notifier_invalidate_range_start() -> __mmu_notifier_invalidate_range_start()
// -> mn_itree_invalidate() and mn_hlist_invalidate_range_start(), v6.6.
void mmu_notifier_invalidate_range_start(mmu_notifier_range* range) {
    mmu_notifier_subscriptions* subscriptions = range->mm->notifier_subscriptions.get();
    if (!subscriptions) return;  // mm_has_notifiers()
    note_bracket(subscriptions, range, true);
    if (subscriptions->has_itree) mn_itree_invalidate(subscriptions, range);
    for (mmu_notifier* subscription : subscriptions->list)
        if (subscription->ops->invalidate_range_start) subscription->ops->invalidate_range_start(subscription, range);
}

// mmu_notifier_invalidate_range_end() -> __mmu_notifier_invalidate_range_end(), v6.6.
void mmu_notifier_invalidate_range_end(mmu_notifier_range* range) {
    mmu_notifier_subscriptions* subscriptions = range->mm->notifier_subscriptions.get();
    if (!subscriptions) return;
    if (subscriptions->has_itree) mn_itree_inv_end(subscriptions);
    for (mmu_notifier* subscription : subscriptions->list)
        if (subscription->ops->invalidate_range_end) subscription->ops->invalidate_range_end(subscription, range);
    note_bracket(subscriptions, range, false);
}

// mmu_notifier_change_pte() -> __mmu_notifier_change_pte() — v6.6.
void mmu_notifier_change_pte(mm_struct* mm, unsigned long address, pte_t pte) {
    mmu_notifier_subscriptions* subscriptions = mm->notifier_subscriptions.get();
    if (!subscriptions) return;
    if (!in_own_bracket(subscriptions, address))
        report_violation(violation_kind::illegal_change_pte,
                         "change_pte at address " + std::to_string(address) + " to " + describe(pgtable_word{pte_val(pte)}) +
                             " outside any invalidate_range_start/end bracket of this thread: a secondary MMU "
                             "without change_pte keeps its old entry");
    for (mmu_notifier* subscription : subscriptions->list)
        if (subscription->ops->change_pte) subscription->ops->change_pte(subscription, mm, address, pte);
}

void set_pte_at_notify(mm_struct* mm, unsigned long address, ptep_t ptep, pte_t pte) {
    mmu_notifier_change_pte(mm, address, pte);
    set_pte_at(mm, address, ptep, pte);
}

}  // namespace mm
MMCHECK_ENGINE_END
