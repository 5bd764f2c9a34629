// hmm_range_fault() over a migration entry, single threaded: the entry is
// installed by a migrate_vma round (migrate_vma_setup() locks the page and
// leaves the entry until migrate_vma_finalize()), as tests/migrate/ builds it.
// What one thread can see of mm/hmm.c v6.6's migration-entry branch: a snapshot
// that asks for no fault reports the entry as not present without waiting; a
// fault whose notifier sequence predates the migration's MMU_NOTIFY_MIGRATE
// invalidation returns -EBUSY; once finalize has removed the entry, the fault
// maps the destination page. (A fault on the entry itself waits in
// migration_entry_wait() on the page lock, which only another thread, the
// migrator, releases.)
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "checker/core/run.h"
#include "model/arch/x86/fault.h"
#include "model/drivers/mirror.h"
#include "model/mm/mm_check.h"
#include "tests/migrate/migrate_world.h"

namespace {

using namespace migrate_test;

constexpr unsigned long migrated = PAGE_SIZE;  // the page of [0, MIRROR_PAGES) that migrates

// A migrate_world whose page at `migrated` and its neighbour at 0 are mapped,
// the range mirrored by a device, and a migrate_vma round over the one page.
struct hmm_world {
    hmm_world() : w(false), dev(w.mm.get(), 0, false), round(w, migrated, migrated + PAGE_SIZE) {
        mirror_register(&dev);
        fault(0);
        fault(migrated);
        old_pfn = w.translate(migrated).pfn;
    }

    void fault(unsigned long addr) {
        ASSERT_EQ(violation_of(w, [&] { do_user_addr_fault(w.mm.get(), addr, FAULT_FLAG_WRITE); }), "");
    }

    // hmm_range_fault() over the mirrored range at sequence seq, under mmap_lock.
    int range_fault(unsigned long seq, unsigned long default_flags, unsigned long (&pfns)[MIRROR_PAGES]) {
        hmm_range range;
        range.notifier = &dev.notifier;
        range.notifier_seq = seq;
        range.start = 0;
        range.end = MIRROR_PAGES * PAGE_SIZE;
        range.hmm_pfns = pfns;
        range.default_flags = default_flags;
        int ret = 0;
        EXPECT_EQ(violation_of(w,
                               [&] {
                                   kernel::down_read(&w.mm->mmap_lock);
                                   ret = hmm_range_fault(&range);
                                   kernel::up_read(&w.mm->mmap_lock);
                               }),
                  "");
        return ret;
    }

    void finish_round() {
        ASSERT_EQ(violation_of(w,
                               [&] {
                                   round.give_destinations();
                                   round.pages_and_finalize();
                               }),
                  "");
    }

    void expect_clean() {
        EXPECT_EQ(violation_of(w, [&] {
                      check_page_tables(w.mm.get());
                      check_anon_accounting(w.mm.get());
                      check_mirror_coherent(&dev, 0, MIRROR_PAGES * PAGE_SIZE, "at the end");
                  }),
                  "");
        EXPECT_TRUE(w.locked_pages().empty());
    }

    migrate_world w;
    mirror dev;
    migrate_round round;
    unsigned long old_pfn = 0;
};

TEST(HmmMigrationEntry, ASnapshotWithoutFaultReportsTheEntryAsNotPresent) {
    hmm_world h;
    ASSERT_EQ(violation_of(h.w, [&] { EXPECT_EQ(h.round.setup(), 0); }), "");
    ASSERT_TRUE(h.w.translate(migrated).migration_entry);
    ASSERT_EQ(h.w.locked_pages(), std::vector<unsigned long>{h.old_pfn});
    unsigned long pfns[MIRROR_PAGES] = {};
    const unsigned long seq = mmu_interval_read_begin(&h.dev.notifier);
    EXPECT_EQ(h.range_fault(seq, 0, pfns), 0);
    EXPECT_EQ(pfns[1], 0u) << "no fault asked: the migration entry is reported empty, not waited on";
    EXPECT_EQ(hmm_pfn_to_pfn(pfns[0]), h.w.translate(0).pfn);
    EXPECT_EQ(pfns[0] & (HMM_PFN_VALID | HMM_PFN_WRITE), HMM_PFN_VALID | HMM_PFN_WRITE);
    EXPECT_EQ(pfns[2], 0u);
    EXPECT_TRUE(h.w.translate(migrated).migration_entry) << "the snapshot changed nothing";
    h.finish_round();
    h.expect_clean();
}

TEST(HmmMigrationEntry, AFaultFromBeforeTheMigrationReturnsEbusy) {
    hmm_world h;
    const unsigned long seq = mmu_interval_read_begin(&h.dev.notifier);
    ASSERT_EQ(violation_of(h.w, [&] { EXPECT_EQ(h.round.setup(), 0); }), "");
    ASSERT_TRUE(h.w.translate(migrated).migration_entry);
    unsigned long pfns[MIRROR_PAGES] = {};
    EXPECT_EQ(h.range_fault(seq, HMM_PFN_REQ_FAULT, pfns), -EBUSY)
        << "migrate_vma_setup()'s MMU_NOTIFY_MIGRATE invalidation moved the sequence";
    h.finish_round();
    h.expect_clean();
}

TEST(HmmMigrationEntry, AfterFinalizeTheFaultMapsTheDestination) {
    hmm_world h;
    ASSERT_EQ(violation_of(h.w, [&] { EXPECT_EQ(h.round.setup(), 0); }), "");
    h.finish_round();
    const translation t = h.w.translate(migrated);
    ASSERT_TRUE(t.mapped && !t.migration_entry);
    EXPECT_NE(t.pfn, h.old_pfn);
    unsigned long pfns[MIRROR_PAGES] = {};
    const unsigned long seq = mmu_interval_read_begin(&h.dev.notifier);
    EXPECT_EQ(h.range_fault(seq, HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE, pfns), 0);
    EXPECT_EQ(hmm_pfn_to_pfn(pfns[1]), t.pfn);
    EXPECT_EQ(pfns[1] & (HMM_PFN_VALID | HMM_PFN_WRITE), HMM_PFN_VALID | HMM_PFN_WRITE);
    for (unsigned i = 0; i < MIRROR_PAGES; ++i) EXPECT_NE(pfns[i] & HMM_PFN_VALID, 0u) << i;
    h.expect_clean();
}

}  // namespace

namespace {

// The two-thread program of programs/hmm_vs_migrate.cpp, explored exhaustively
// on the in-house engine (DPOR) and by Relacy's context-bound search: in the
// interleavings where the fault's walk meets the migration entry it waits on
// the page lock and ends once finalize removed the entry.
mmcheck::run_result run_program(mmcheck::engine_kind engine, mmcheck::search_kind search) {
    mmcheck::run_options o;
    o.scenario = "selftest/mirror/hmm-fault-vs-migrate-vma";
    o.variant = "default";
    o.engine = engine;
    o.search = search;
    o.preemptions = 2;
    o.time_budget_seconds = 120;
    return mmcheck::run(o);
}

std::string outcome(const mmcheck::run_result& r) {
    if (r.outcome == mmcheck::verdict::pass) return "pass";
    if (r.outcome == mmcheck::verdict::incomplete) return "incomplete";
    return r.violation ? r.violation->message : "violation?";
}

#ifdef MMCHECK_TEST_ENGINE_mc
TEST(HmmMigrationEntry, AConcurrentFaultWaitsOutTheMigrationOnMc) {
    const mmcheck::run_result r = run_program(mmcheck::engine_kind::mc, mmcheck::search_kind::dpor);
    EXPECT_EQ(outcome(r), "pass");
    EXPECT_GT(r.executions, 1u);
}
#endif

#ifdef MMCHECK_TEST_ENGINE_relacy
TEST(HmmMigrationEntry, AConcurrentFaultWaitsOutTheMigrationOnRelacy) {
    const mmcheck::run_result r = run_program(mmcheck::engine_kind::relacy, mmcheck::search_kind::bounded);
    EXPECT_EQ(outcome(r), "pass");
    EXPECT_GT(r.executions, 1u);
}
#endif

}  // namespace
