// The notifier protocol and the mirror, single threaded: what
// mmu_interval_read_begin()/_retry() answer around invalidations, which
// change_pte transitions the 2019 flag allows, and how the mirror's entries
// follow faults, invalidations and change_pte.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "model/drivers/mirror.h"
#include "model/kernel/detail/execution.h"
#include "model/mm/memory_zap_huge.h"
#include "scenarios/cpp/s4_anon_world.h"

namespace mirror_test {
namespace {

using namespace mmcheck;
using namespace mmcheck::mm;

// Four anonymous pages mapped rw at 0..3, and a mirror over them.
struct world {
    explicit world(bool use_change_pte = false)
        : setup(this), anon(model_variants{}, s4_world::initial_pmd::pte_table), dev(anon.mm.get(), 0, use_change_pte) {
        mirror_register(&dev);
    }
    ~world() { kernel::detail::current_execution() = nullptr; }

    // Runs model code; returns the violation it reported, or none.
    violation_kind run(const std::function<void()>& body) {
        try {
            body();
            return violation_kind::none;
        } catch (const kernel::backend::execution_aborted&) {
            return exec.violation ? exec.violation->kind : violation_kind::internal_error;
        }
    }
    mm_struct* mm() { return anon.mm.get(); }
    unsigned long cpu_pfn(unsigned long address) {
        return pte_pfn(ptep_get(pte_offset_map(anon.pmd, address)));
    }
    pte_t cpu_pte(unsigned long address) { return ptep_get(pte_offset_map(anon.pmd, address)); }

    struct exec_setup {
        explicit exec_setup(world* w) {
            w->exec.reset(1, false);
            kernel::detail::current_execution() = &w->exec;
        }
    };
    kernel::detail::execution exec;
    exec_setup setup;
    s4_world::anon_world anon;
    mirror dev;
};

void invalidate(world& w, unsigned long start, unsigned long end, unsigned flags = 0,
                const std::function<void()>& inside = [] {}) {
    mmu_notifier_range range;
    mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, flags, &w.anon.vma, w.mm(), start, end);
    mmu_notifier_invalidate_range_start(&range);
    inside();
    mmu_notifier_invalidate_range_end(&range);
}

TEST(MmuIntervalNotifier, ReadRetryMovesOnlyForInvalidationsThatCoverTheInterval) {
    world w;
    const unsigned long seq = mmu_interval_read_begin(&w.dev.notifier);
    EXPECT_EQ(seq % 2, 1u) << "an idle subscription's sequence is odd";
    EXPECT_FALSE(mmu_interval_read_retry(&w.dev.notifier, seq));
    invalidate(w, 8 * PAGE_SIZE, 9 * PAGE_SIZE);  // outside [0, 4 pages)
    EXPECT_FALSE(mmu_interval_read_retry(&w.dev.notifier, seq));
    EXPECT_FALSE(mmu_interval_check_retry(&w.dev.notifier, seq));
    invalidate(w, PAGE_SIZE, 2 * PAGE_SIZE, 0, [&] {
        // Inside the bracket the snapshot is already invalid.
        EXPECT_TRUE(mmu_interval_check_retry(&w.dev.notifier, seq));
    });
    EXPECT_TRUE(mmu_interval_read_retry(&w.dev.notifier, seq));
    const unsigned long again = mmu_interval_read_begin(&w.dev.notifier);
    EXPECT_NE(again, seq);
    EXPECT_FALSE(mmu_interval_read_retry(&w.dev.notifier, again));
}

TEST(MmuIntervalNotifier, NestedInvalidationsEndTogether) {
    world w;
    const unsigned long seq = mmu_interval_read_begin(&w.dev.notifier);
    invalidate(w, 0, PAGE_SIZE, 0, [&] { invalidate(w, PAGE_SIZE, 2 * PAGE_SIZE); });
    EXPECT_TRUE(mmu_interval_read_retry(&w.dev.notifier, seq));
    // The subscriptions' sequence is even again: a new read_begin does not wait.
    EXPECT_EQ(kernel::READ_ONCE(w.mm()->notifier_subscriptions->invalidate_seq) % 2, 0u);
}

TEST(ChangePte, TheThreeTransitionsOfThe2019Posting) {
    const pte_t ro5 = pfn_pte(5, PAGE_READONLY), rw5 = pte_mkwrite(ro5);
    const pte_t ro6 = pfn_pte(6, PAGE_READONLY), rw6 = pte_mkwrite(ro6);
    const mirror_pte had_rw5{5, true, true}, had_ro5{5, true, false};
    EXPECT_TRUE(change_pte_transition_allowed(had_rw5, ro5));   // rw->ro same pfn
    EXPECT_TRUE(change_pte_transition_allowed(had_ro5, rw5));   // ro->rw same pfn
    EXPECT_TRUE(change_pte_transition_allowed(had_ro5, ro6));   // ro->ro new pfn
    EXPECT_FALSE(change_pte_transition_allowed(had_ro5, rw6));  // ro->rw new pfn (COW)
    EXPECT_FALSE(change_pte_transition_allowed(had_rw5, ro6));  // rw->ro new pfn
    EXPECT_FALSE(change_pte_transition_allowed(had_rw5, rw6));  // rw->rw new pfn
}

TEST(ChangePte, OutsideABracketIsReported) {
    world w(true);
    EXPECT_EQ(w.run([&] { mmu_notifier_change_pte(w.mm(), 0, pfn_pte(9, PAGE_READONLY)); }),
              violation_kind::illegal_change_pte);
}

TEST(Mirror, FaultMapsTheCpuEntryAndAnInvalidationClearsIt) {
    world w;
    ASSERT_EQ(w.run([&] { EXPECT_EQ(mirror_fault(&w.dev, PAGE_SIZE, false), 0); }), violation_kind::none);
    const mirror_pte e = w.dev.pt[1].read();
    EXPECT_TRUE(e.valid);
    EXPECT_EQ(e.pfn, w.cpu_pfn(PAGE_SIZE));
    EXPECT_TRUE(e.write) << "the CPU pte is writable, so hmm_range_fault() reports HMM_PFN_WRITE";
    ASSERT_EQ(w.run([&] {
                  invalidate(w, PAGE_SIZE, 2 * PAGE_SIZE, 0,
                             [&] { madvise_dontneed_single_vma(&w.anon.vma, PAGE_SIZE, 2 * PAGE_SIZE); });
              }),
              violation_kind::none);
    EXPECT_FALSE(w.dev.pt[1].read().valid);
}

TEST(Mirror, AFlaggedBracketKeepsTheEntryForChangePte) {
    world w(true);
    ASSERT_EQ(w.run([&] { mirror_fault(&w.dev, 0, false); }), violation_kind::none);
    const pte_t before = w.cpu_pte(0);
    const ptep_t ptep = pte_offset_map(w.anon.pmd, 0);
    ASSERT_EQ(w.run([&] {
                  invalidate(w, 0, PAGE_SIZE, MMU_NOTIFIER_USE_CHANGE_PTE, [&] {
                      EXPECT_TRUE(w.dev.pt[0].read().valid) << "kept through the flagged bracket";
                      ptep_get_and_clear(w.mm(), 0, ptep);
                      set_pte_at_notify(w.mm(), 0, ptep, pte_wrprotect(before));
                  });
              }),
              violation_kind::none);
    const mirror_pte e = w.dev.pt[0].read();
    EXPECT_TRUE(e.valid);
    EXPECT_EQ(e.pfn, pte_pfn(before));
    EXPECT_FALSE(e.write) << "change_pte carried rw->ro";
}

TEST(Mirror, AStaleEntryAfterTheBracketIsIncoherent) {
    world w(true);
    ASSERT_EQ(w.run([&] { mirror_fault(&w.dev, 0, false); }), violation_kind::none);
    // A flagged bracket whose update never sends change_pte leaves the mirror
    // on the old page: invalidate_range_end() reports it.
    EXPECT_EQ(w.run([&] {
                  invalidate(w, 0, PAGE_SIZE, MMU_NOTIFIER_USE_CHANGE_PTE,
                             [&] { madvise_dontneed_single_vma(&w.anon.vma, 0, PAGE_SIZE); });
              }),
              violation_kind::mirror_incoherent);
}

}  // namespace
}  // namespace mirror_test
