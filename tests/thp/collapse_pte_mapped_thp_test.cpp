// collapse_pte_mapped_thp() (model/mm/khugepaged_file.cpp) single threaded: a
// pte table that maps only subpages of the page-cache THP (holes allowed) is
// cleared and queued for freeing after a grace period, the THP mapped by the pmd when asked,
// and the counts follow; a pte mapping any other page leaves everything as it was.
// The pmd it installs is split and zapped like v6.6's file THP pmds.
#include <gtest/gtest.h>

#include "model/kernel/detail/execution.h"
#include "model/mm/huge_memory.h"
#include "model/mm/khugepaged_file.h"
#include "model/mm/rmap.h"
#include "scenarios/cpp/paths_file_world.h"

namespace {

using namespace mmcheck;
using namespace mmcheck::mm;

struct collapse_test : ::testing::Test {
    collapse_test() {
        // Thread 1 stands for a lockless walker (GUP-fast) inside its RCU
        // read-side section on another CPU, so pte_free_defer() must wait.
        exec.reset(2, false);
        exec.threads[1].rcu_depth = 1;
        kernel::detail::current_execution() = &exec;
        world = std::make_unique<paths_world::file_world>(variants, false);
        // collapse_file()'s result: one THP in the page cache holding a
        // reference per page, at pgoff 0..HPAGE_PMD_NR-1.
        thp = alloc_pages(world->memory, page_use::file, TABLE_INDEX_BITS);
        kernel::atomic_set(thp->_refcount, int(HPAGE_PMD_NR));
        kernel::atomic_set(thp->_entire_mapcount, -1);
        for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
            kernel::atomic_set(subpage(i)->_mapcount, -1);
            world->mapping.i_pages[i] = subpage(i);
        }
    }
    ~collapse_test() override {
        exec.rcu_callbacks.clear();  // the grace period never ends in this test
        world.reset();
        kernel::detail::current_execution() = nullptr;
    }
    page* subpage(unsigned i) { return pfn_to_page(world->memory, thp->pfn + i); }
    ptep_t pte(unsigned i) { return pte_handle(world->pte_table, i); }
    // A read fault's pte for subpage i (do_read_fault() -> finish_fault()).
    void map_subpage(unsigned i) {
        get_page(subpage(i));
        page_add_file_rmap(subpage(i), &world->source, false);
        set_pte_at(world->mm.get(), i * PAGE_SIZE, pte(i), pfn_pte(thp->pfn + i, PAGE_READONLY));
    }
    scan_result collapse(bool install_pmd) {
        kernel::down_read(&world->mm->mmap_lock);
        const scan_result r = collapse_pte_mapped_thp(world->mm.get(), 0, install_pmd);
        kernel::up_read(&world->mm->mmap_lock);
        return r;
    }
    long pte_mapcount(unsigned i) { return kernel::atomic_read(subpage(i)->_mapcount) + 1; }

    kernel::detail::execution exec;
    model_variants variants;
    std::unique_ptr<paths_world::file_world> world;
    page* thp = nullptr;
};

TEST_F(collapse_test, a_fully_mapped_thp_is_mapped_by_the_pmd) {
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) map_subpage(i);
    page* table = world->pte_table;
    EXPECT_EQ(collapse(true), scan_result::SCAN_SUCCEED);
    const pmd_t pmd = deref(world->pmd);
    EXPECT_TRUE(pmd_trans_huge(pmd));
    EXPECT_EQ(pmd_pfn(pmd), thp->pfn);
    EXPECT_EQ(page_count(thp), long(HPAGE_PMD_NR) + 1);  // the page cache and the pmd
    EXPECT_EQ(kernel::atomic_read(thp->_entire_mapcount), 0);
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) EXPECT_EQ(pte_mapcount(i), 0);
    EXPECT_EQ(table->use, page_use::pte_table);  // pte_free_defer(): queued, not freed
    ASSERT_EQ(exec.rcu_callbacks.size(), 1u);
    EXPECT_EQ(exec.rcu_callbacks[0].head, &table->rcu);
    EXPECT_FALSE(exec.violation.has_value());
}

TEST_F(collapse_test, holes_do_not_stop_it_and_without_install_the_pmd_stays_none) {
    map_subpage(0);
    map_subpage(2);
    EXPECT_EQ(collapse(false), scan_result::SCAN_SUCCEED);
    EXPECT_TRUE(pmd_none(deref(world->pmd)));
    EXPECT_EQ(page_count(thp), long(HPAGE_PMD_NR));
    EXPECT_EQ(pte_mapcount(0), 0);
    EXPECT_EQ(pte_mapcount(2), 0);
    EXPECT_EQ(exec.rcu_callbacks.size(), 1u);  // the table waits for the grace period
}

TEST_F(collapse_test, a_pte_of_another_page_keeps_the_table) {
    map_subpage(0);
    page* other = alloc_pages(world->memory, page_use::file, 0);
    set_pte_at(world->mm.get(), PAGE_SIZE, pte(1), pfn_pte(other->pfn, PAGE_READONLY));
    EXPECT_EQ(collapse(true), scan_result::SCAN_FAIL);
    EXPECT_FALSE(pmd_leaf(deref(world->pmd)));
    EXPECT_EQ(pte_pfn(deref(pte(0))), thp->pfn);
    EXPECT_EQ(pte_mapcount(0), 1);
    EXPECT_EQ(page_count(thp), long(HPAGE_PMD_NR) + 1);
    EXPECT_TRUE(thp->PG_locked.try_lock("trylock_page", std::source_location::current()));
    thp->PG_locked.unlock("unlock_page", std::source_location::current());
}

TEST_F(collapse_test, an_already_pmd_mapped_range_is_left_alone) {
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) map_subpage(i);
    EXPECT_EQ(collapse(true), scan_result::SCAN_SUCCEED);
    EXPECT_EQ(collapse(true), scan_result::SCAN_PMD_MAPPED);
    EXPECT_EQ(page_count(thp), long(HPAGE_PMD_NR) + 1);
}

// A page-cache THP mapped by the pmd loses that mapping and the pmd's reference
// when the pmd is split (__split_huge_pmd_locked(), file branch: refaulted later)
// or zapped (zap_huge_pmd()), as in v6.6; the page cache keeps its references.
TEST_F(collapse_test, splitting_the_file_pmd_drops_its_mapping_and_reference) {
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) map_subpage(i);
    ASSERT_EQ(collapse(true), scan_result::SCAN_SUCCEED);
    kernel::down_read(&world->mm->mmap_lock);
    split_huge_pmd(&world->source, world->pmd, 0);
    kernel::up_read(&world->mm->mmap_lock);
    EXPECT_TRUE(pmd_none(deref(world->pmd)));
    EXPECT_EQ(kernel::atomic_read(thp->_entire_mapcount), -1);
    EXPECT_EQ(page_count(thp), long(HPAGE_PMD_NR));
    EXPECT_FALSE(exec.violation.has_value());
}

TEST_F(collapse_test, zapping_the_file_pmd_drops_its_mapping_and_reference) {
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) map_subpage(i);
    ASSERT_EQ(collapse(true), scan_result::SCAN_SUCCEED);
    EXPECT_EQ(zap_huge_pmd(&world->source, world->pmd, 0), 1);
    EXPECT_TRUE(pmd_none(deref(world->pmd)));
    EXPECT_EQ(kernel::atomic_read(thp->_entire_mapcount), -1);
    EXPECT_EQ(page_count(thp), long(HPAGE_PMD_NR));
    EXPECT_FALSE(exec.violation.has_value());
}

}  // namespace
