// split_huge_page() (model/mm/huge_memory_folio_split.cpp) single threaded: a
// THP mapped by its pmd, or by ptes after split_huge_pmd(), becomes
// HPAGE_PMD_NR order-0 anonymous pages, each mapped by the pte of its offset
// with its own refcount and mapcount; the caller keeps its lock and reference
// on the page it passed; a pin makes it -EAGAIN and leaves the folio whole and
// mapped. The end-of-run censuses must agree after each.
#include "model/mm/huge_memory.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/pagemap.h"
#include "tests/thp/anon_world_test.h"

namespace {

using namespace thp_test;

constexpr int EAGAIN_RET = -11;

struct split_page : anon_world_test {
    split_page() {
        start(initial_pmd::thp);
        thp = world->thp;
    }
    page* subpage(unsigned i) { return pfn_to_page(world->memory, thp->pfn + i); }
    long mapcount(unsigned i) { return kernel::atomic_read(subpage(i)->_mapcount) + 1; }
    long refcount(unsigned i) { return kernel::atomic_read(subpage(i)->_refcount); }
    // Locks and RCU sections the one model thread holds.
    int held() const { return exec.threads[0].nheld + exec.threads[0].rcu_depth; }

    // The caller's side, as migrate_vma_collect_pmd(): reference, page lock,
    // split, unlock, release.
    int split(page* p) {
        int ret = 0;
        run([&] {
            kernel::down_read(&world->mm->mmap_lock);
            get_page(p);
            EXPECT_TRUE(trylock_page(p));
            ret = split_huge_page(p, &world->vma, 0);
            EXPECT_EQ(held(), 2);  // mmap_lock and the caller's page lock only
            unlock_page(p);
            put_page(p);
            kernel::up_read(&world->mm->mmap_lock);
        });
        return ret;
    }
    void split_pmd() {
        run([&] {
            kernel::down_read(&world->mm->mmap_lock);
            split_huge_pmd(&world->vma, world->pmd, 0);
            kernel::up_read(&world->mm->mmap_lock);
        });
    }
    // Every page order 0, anonymous, mapped once by the pte of its offset with
    // the THP's write permission and exclusivity, one reference each.
    void expect_split_and_mapped() {
        ASSERT_FALSE(pmd_trans_huge(deref(world->pmd)));
        for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
            SCOPED_TRACE(i);
            EXPECT_EQ(subpage(i)->use, page_use::anon);
            EXPECT_EQ(subpage(i)->order, 0u);
            EXPECT_EQ(compound_head(subpage(i)), subpage(i));
            EXPECT_TRUE(pte_present(pte(i)));
            EXPECT_EQ(pte_pfn(pte(i)), thp->pfn + i);
            EXPECT_TRUE(pte_write(pte(i)));
            EXPECT_EQ(mapcount(i), 1);
            EXPECT_EQ(refcount(i), 1);
            EXPECT_TRUE(PageAnonExclusive(subpage(i)));
            EXPECT_EQ(kernel::atomic_read(subpage(i)->_entire_mapcount), -1);
            // Every page lock the split took is released.
            EXPECT_TRUE(trylock_page(subpage(i)));
            unlock_page(subpage(i));
        }
    }

    page* thp = nullptr;
};

TEST_F(split_page, a_pmd_mapped_thp_becomes_order_0_pages_mapped_by_their_ptes) {
    ASSERT_TRUE(pmd_trans_huge(deref(world->pmd)));
    ASSERT_EQ(thp->order, unsigned(TABLE_INDEX_BITS));
    EXPECT_EQ(split(thp), 0);
    expect_split_and_mapped();
    EXPECT_EQ(held(), 0);
    check_censuses();
}

TEST_F(split_page, a_pte_mapped_thp_splits_the_same) {
    split_pmd();
    ASSERT_EQ(thp->order, unsigned(TABLE_INDEX_BITS));  // split_huge_pmd() keeps the folio
    ASSERT_EQ(refcount(0), long(HPAGE_PMD_NR));
    EXPECT_EQ(split(thp), 0);
    expect_split_and_mapped();
    check_censuses();
}

TEST_F(split_page, a_tail_page_keeps_the_callers_lock_and_reference) {
    split_pmd();
    page* tail = subpage(2);
    int ret = 0;
    run([&] {
        get_page(tail);                  // a reference on the folio
        EXPECT_TRUE(trylock_page(thp));  // lock_page(tail) locks the folio: its head
        ret = split_huge_page(tail, &world->vma, 0);
    });
    EXPECT_EQ(ret, 0);
    EXPECT_EQ(refcount(2), 2);  // its mapping and the caller's reference
    EXPECT_EQ(refcount(0), 1);
    EXPECT_TRUE(kernel::detail::holds(&tail->PG_locked));  // the head's lock, copied
    EXPECT_FALSE(kernel::detail::holds(&thp->PG_locked));  // released with the other pages'
    EXPECT_EQ(held(), 1);
    run([&] {
        unlock_page(tail);
        put_page(tail);
    });
    expect_split_and_mapped();
    check_censuses();
}

TEST_F(split_page, an_unmapped_subpage_is_freed_by_the_split) {
    split_pmd();
    run([&] {
        kernel::down_read(&world->mm->mmap_lock);
        madvise_dontneed_single_vma(&world->vma, PAGE_SIZE, 2 * PAGE_SIZE);
        kernel::up_read(&world->mm->mmap_lock);
    });
    EXPECT_EQ(split(thp), 0);
    EXPECT_EQ(subpage(1)->use, page_use::free);
    EXPECT_TRUE(pte_none(pte(1)));
    for (unsigned i : {0u, 2u, 3u}) {
        EXPECT_EQ(subpage(i)->use, page_use::anon);
        EXPECT_EQ(pte_pfn(pte(i)), thp->pfn + i);
        EXPECT_EQ(refcount(i), 1);
    }
    check_censuses();
}

TEST_F(split_page, an_extra_pin_is_eagain_and_leaves_the_thp_whole_and_mapped) {
    run([&] { get_page(thp); });  // a GUP pin (FOLL_GET) held elsewhere
    EXPECT_EQ(split(thp), EAGAIN_RET);
    const pmd_t pmd = deref(world->pmd);
    EXPECT_TRUE(pmd_trans_huge(pmd));
    EXPECT_EQ(pmd_pfn(pmd), thp->pfn);
    EXPECT_EQ(thp->order, unsigned(TABLE_INDEX_BITS));
    EXPECT_EQ(subpage(1)->use, page_use::tail);
    EXPECT_EQ(refcount(0), 2);  // the pmd's and the pin
    EXPECT_EQ(kernel::atomic_read(thp->_entire_mapcount), 0);
    run([&] { put_page(thp); });
    check_censuses();
}

TEST_F(split_page, without_the_folio_lock_it_is_a_bug) {
    get_page(thp);
    EXPECT_THROW(split_huge_page(thp, &world->vma, 0), kernel::backend::execution_aborted);
    ASSERT_TRUE(exec.violation.has_value());
    EXPECT_EQ(exec.violation->kind, kernel::violation_kind::assertion);
}

TEST_F(split_page, an_extra_pin_on_a_pte_mapped_thp_is_eagain_too) {
    split_pmd();
    run([&] { get_page(subpage(3)); });
    EXPECT_EQ(split(thp), EAGAIN_RET);
    EXPECT_EQ(thp->order, unsigned(TABLE_INDEX_BITS));
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        EXPECT_EQ(pte_pfn(pte(i)), thp->pfn + i);
        EXPECT_EQ(mapcount(i), 1);
    }
    run([&] { put_page(subpage(3)); });
    check_censuses();
}

}  // namespace
