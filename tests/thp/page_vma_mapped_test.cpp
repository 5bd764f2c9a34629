// page_vma_mapped_walk() (model/mm/page_vma_mapped.cpp) single threaded: where
// it finds a THP mapped by its pmd, by ptes after a split, with holes, and one
// page of the folio; every find returns with the right lock held and the walk's
// end releases everything (no lock or RCU read-side section left).
#include <gtest/gtest.h>

#include <vector>

#include "model/kernel/detail/execution.h"
#include "model/mm/huge_memory.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/page_vma_mapped.h"
#include "scenarios/cpp/s4_anon_world.h"

namespace {

using namespace mmcheck;
using namespace mmcheck::mm;
using s4_world::anon_world;
using s4_world::initial_pmd;

struct pvmw_walk : ::testing::Test {
    pvmw_walk() {
        exec.reset(1, false);
        kernel::detail::current_execution() = &exec;
        world = std::make_unique<anon_world>(variants, initial_pmd::thp);
    }
    ~pvmw_walk() override {
        world.reset();
        kernel::detail::current_execution() = nullptr;
    }
    // Locks and RCU read-side sections held by the (one) model thread.
    int held() const {
        int n = 0;
        for (const auto& t : exec.threads) n += t.nheld + t.rcu_depth;
        return n;
    }
    // The pte indices the walk stops at (-1: the pmd); each stop holds the ptl
    // (and, for a pte, the RCU section of pte_offset_map()).
    std::vector<int> stops(struct page_vma_mapped_walk pvmw) {
        std::vector<int> found;
        while (page_vma_mapped_walk(&pvmw)) {
            EXPECT_NE(pvmw.ptl, nullptr);
            EXPECT_EQ(held(), pvmw.pte.table ? 2 : 1);
            found.push_back(pvmw.pte.table ? int(pvmw.pte.index) : -1);
        }
        EXPECT_EQ(held(), 0);
        return found;
    }
    void split() {
        kernel::down_read(&world->mm->mmap_lock);
        split_huge_pmd(&world->vma, world->pmd, 0);
        kernel::up_read(&world->mm->mmap_lock);
    }

    kernel::detail::execution exec;
    model_variants variants;
    std::unique_ptr<anon_world> world;
};

TEST_F(pvmw_walk, a_pmd_mapped_thp_is_found_once_under_the_pmd_lock) {
    struct page_vma_mapped_walk pvmw = folio_vma_walk(world->thp, &world->vma, 0, 0);
    ASSERT_TRUE(page_vma_mapped_walk(&pvmw));
    EXPECT_EQ(pvmw.pte.table, nullptr);
    EXPECT_EQ(pvmw.ptl, pmd_lockptr(world->mm.get(), world->pmd));
    EXPECT_FALSE(page_vma_mapped_walk(&pvmw));  // the only pmd mapping was handled
    EXPECT_EQ(held(), 0);
}

TEST_F(pvmw_walk, a_split_thp_is_found_at_each_pte_in_order) {
    split();
    EXPECT_EQ(stops(folio_vma_walk(world->thp, &world->vma, 0, 0)), (std::vector<int>{0, 1, 2, 3}));
}

TEST_F(pvmw_walk, zapped_ptes_are_skipped) {
    split();
    kernel::down_read(&world->mm->mmap_lock);
    madvise_dontneed_single_vma(&world->vma, PAGE_SIZE, 3 * PAGE_SIZE);
    kernel::up_read(&world->mm->mmap_lock);
    EXPECT_EQ(stops(folio_vma_walk(world->thp, &world->vma, 0, 0)), (std::vector<int>{0, 3}));
}

TEST_F(pvmw_walk, a_page_walk_finds_only_that_page) {
    split();
    page* second = pfn_to_page(world->memory, world->thp->pfn + 2);
    EXPECT_EQ(stops(page_vma_walk(second, &world->vma, 2 * PAGE_SIZE, 0)), (std::vector<int>{2}));
    EXPECT_EQ(stops(page_vma_walk(second, &world->vma, 1 * PAGE_SIZE, 0)), (std::vector<int>{}));
}

TEST_F(pvmw_walk, sync_walks_lock_each_table_and_find_the_same) {
    split();
    EXPECT_EQ(stops(folio_vma_walk(world->thp, &world->vma, 0, PVMW_SYNC)), (std::vector<int>{0, 1, 2, 3}));
}

TEST_F(pvmw_walk, an_unmapped_folio_is_not_found) {
    kernel::down_read(&world->mm->mmap_lock);
    madvise_dontneed_single_vma(&world->vma, 0, PMD_SIZE);
    kernel::up_read(&world->mm->mmap_lock);
    page* other = vma_alloc_folio(&world->vma, 0);
    EXPECT_EQ(stops(folio_vma_walk(other, &world->vma, 0, 0)), (std::vector<int>{}));
    put_page(other);
}

}  // namespace
