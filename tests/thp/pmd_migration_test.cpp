// PMD migration entries (model/mm/huge_memory_migrate.cpp, migrate.cpp,
// migrate_pages.cpp, rmap_migrate.cpp) single threaded, v6.6: migrate_pages()
// moves a pmd-mapped THP whole to a new folio; try_to_migrate() without
// TTU_SPLIT_HUGE_PMD leaves one pmd migration entry holding no mapcount or
// reference; a fault waits on it and leaves it; MADV_DONTNEED zaps it; a pmd
// split turns it into pte migration entries that remove_migration_ptes()
// restores; NUMA hinting makes a writable one readable, and the write fault
// after the restore reuses the exclusive THP. An extra reference makes
// migration fail with the THP restored in place.
#include "model/arch/x86/fault.h"
#include "model/mm/huge_memory.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/migrate.h"
#include "model/mm/mprotect.h"
#include "model/mm/pagemap.h"
#include "model/mm/swapops.h"
#include "tests/thp/anon_world_test.h"

namespace {

using namespace thp_test;

struct pmd_migration : anon_world_test {
    pmd_migration() {
        start(initial_pmd::thp);
        thp = world->thp;
    }
    // migrate_folio_unmap()'s half: the folio locked and unmapped into
    // migration entries, the caller's isolation reference held.
    void unmap_thp() {
        under_mmap_read([&] {
            get_page(thp);  // isolation
            lock_page(thp);
            try_to_migrate(thp, 0, &world->vma, 0);
        });
    }
    void restore_and_release() {
        under_mmap_read([&] {
            remove_migration_ptes(thp, thp, &world->vma, 0);
            unlock_page(thp);
            put_page(thp);  // putback
        });
    }
    long refcount(page* p) { return kernel::atomic_read(p->_refcount); }
    long entire_mapcount(page* p) { return kernel::atomic_read(p->_entire_mapcount) + 1; }
    page* thp = nullptr;
};

TEST_F(pmd_migration, MigratePagesMovesTheThpWhole) {
    const unsigned long old_pfn = thp->pfn;
    const long tables = nr_pte_tables();
    int ret = -1;
    under_mmap_read([&] {
        get_page(thp);  // isolation: migrate_pages() drops it on success
        ret = migrate_pages(thp, &world->vma, 0);
    });
    EXPECT_EQ(ret, 0);
    ASSERT_TRUE(pmd_trans_huge(pmd()));
    EXPECT_NE(pmd_pfn(pmd()), old_pfn);
    EXPECT_TRUE(pmd_write(pmd()));
    page* moved = pfn_to_page(world->memory, pmd_pfn(pmd()));
    EXPECT_EQ(moved->use, page_use::anon);
    EXPECT_EQ(moved->order, TABLE_INDEX_BITS);
    EXPECT_EQ(refcount(moved), 1);
    EXPECT_EQ(entire_mapcount(moved), 1);
    EXPECT_TRUE(PageAnonExclusive(moved));
    EXPECT_EQ(pfn_to_page(world->memory, old_pfn)->use, page_use::free);
    EXPECT_EQ(nr_pte_tables(), tables);  // the deposited table stayed
    EXPECT_EQ(exec.threads[0].nheld, 0);
    check_censuses();
}

TEST_F(pmd_migration, TryToMigrateLeavesOnePmdMigrationEntry) {
    unmap_thp();
    const pmd_t entry = pmd();
    ASSERT_TRUE(is_pmd_migration_entry(entry));
    EXPECT_TRUE(is_swap_pmd(entry));
    EXPECT_FALSE(pmd_trans_huge(entry));
    EXPECT_TRUE(is_writable_migration_entry(pmd_to_swp_entry(entry)));
    EXPECT_EQ(swp_offset_pfn(pmd_to_swp_entry(entry)), thp->pfn);
    EXPECT_EQ(entire_mapcount(thp), 0);
    EXPECT_EQ(refcount(thp), 1);  // the isolation reference only
    restore_and_release();
    ASSERT_TRUE(pmd_trans_huge(pmd()));
    EXPECT_EQ(pmd_pfn(pmd()), thp->pfn);
    EXPECT_TRUE(pmd_write(pmd()));
    EXPECT_TRUE(PageAnonExclusive(thp));
    check_censuses();
}

TEST_F(pmd_migration, AFaultOnTheEntryWaitsAndLeavesIt) {
    unmap_thp();
    run([&] { unlock_page(thp); });  // so that the single thread's wait returns
    run([&] { do_user_addr_fault(world->mm.get(), PAGE_SIZE, FAULT_FLAG_WRITE); });
    EXPECT_TRUE(is_pmd_migration_entry(pmd()));
    EXPECT_EQ(refcount(thp), 1);  // the waiter's reference is gone again
    EXPECT_EQ(exec.threads[0].nheld, 0);
    run([&] { lock_page(thp); });
    restore_and_release();
    check_censuses();
}

TEST_F(pmd_migration, DontneedZapsTheEntryAndItsDepositedTable) {
    const long tables = nr_pte_tables();
    unmap_thp();
    under_mmap_read([&] { madvise_dontneed_single_vma(&world->vma, 0, PMD_SIZE); });
    EXPECT_TRUE(pmd_none(pmd()));
    EXPECT_EQ(nr_pte_tables(), tables - 1);
    EXPECT_EQ(refcount(thp), 1);  // the entry held none
    const unsigned long pfn = thp->pfn;
    restore_and_release();        // nothing to restore: the last put frees the folio
    EXPECT_TRUE(pmd_none(pmd()));
    EXPECT_EQ(pfn_to_page(world->memory, pfn)->use, page_use::free);
    check_censuses();
}

TEST_F(pmd_migration, ASplitGivesPteMigrationEntriesThatAreRestored) {
    unmap_thp();
    under_mmap_read([&] { split_huge_pmd(&world->vma, world->pmd, 0); });
    ASSERT_FALSE(is_swap_pmd(pmd()));
    ASSERT_FALSE(pmd_trans_huge(pmd()));
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        SCOPED_TRACE(i);
        const swp_entry_t e = pte_to_swp_entry(pte(i));
        EXPECT_TRUE(is_swap_pte(pte(i)) && is_migration_entry(e));
        EXPECT_TRUE(is_writable_migration_entry(e));
        EXPECT_EQ(swp_offset_pfn(e), thp->pfn + i);
    }
    EXPECT_EQ(refcount(thp), 1);
    restore_and_release();
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        SCOPED_TRACE(i);
        EXPECT_TRUE(pte_present(pte(i)));
        EXPECT_TRUE(pte_write(pte(i)));
        EXPECT_EQ(pte_pfn(pte(i)), thp->pfn + i);
    }
    EXPECT_EQ(refcount(thp), long(HPAGE_PMD_NR));
    check_censuses();
}

TEST_F(pmd_migration, NumaHintingMakesTheEntryReadableAndTheRestoredThpIsReused) {
    unmap_thp();
    under_mmap_read([&] { change_prot_numa(&world->vma, 0, PMD_SIZE); });
    const swp_entry_t e = pmd_to_swp_entry(pmd());
    ASSERT_TRUE(is_pmd_migration_entry(pmd()));
    EXPECT_FALSE(is_writable_migration_entry(e));
    EXPECT_TRUE(is_readable_exclusive_migration_entry(e));
    restore_and_release();
    ASSERT_TRUE(pmd_trans_huge(pmd()));
    EXPECT_FALSE(pmd_write(pmd()));
    EXPECT_TRUE(PageAnonExclusive(thp));
    // do_huge_pmd_wp_page(): exclusive, so made writable in place.
    run([&] { do_user_addr_fault(world->mm.get(), 0, FAULT_FLAG_WRITE); });
    ASSERT_TRUE(pmd_trans_huge(pmd()));
    EXPECT_TRUE(pmd_write(pmd()));
    EXPECT_EQ(pmd_pfn(pmd()), thp->pfn);
    check_censuses();
}

TEST_F(pmd_migration, AnExtraReferenceMakesMigrationFailInPlace) {
    const unsigned long pfn = thp->pfn;
    int ret = -1;
    under_mmap_read([&] {
        get_page(thp);  // a GUP reference
        get_page(thp);  // isolation
        ret = migrate_pages(thp, &world->vma, 0);
    });
    EXPECT_EQ(ret, 1);
    ASSERT_TRUE(pmd_trans_huge(pmd()));
    EXPECT_EQ(pmd_pfn(pmd()), pfn);
    EXPECT_TRUE(pmd_write(pmd()));
    EXPECT_EQ(refcount(thp), 3);
    EXPECT_EQ(exec.threads[0].nheld, 0);
    run([&] {
        put_page(thp);  // putback_movable_pages()
        put_page(thp);  // the GUP reference
    });
    check_censuses();
}

}  // namespace
