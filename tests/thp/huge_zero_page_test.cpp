// The huge zero page (model/mm/huge_memory_zero.cpp, huge_memory_anon.cpp,
// huge_memory_split.cpp) single threaded, v6.6: with use_zero_page a read
// fault on an empty pmd maps the huge zero page read-only with a deposited
// table and one huge_zero_refcount reference for the mm; a write fault on it
// splits it into zero-page ptes and copies at the pte level; MADV_DONTNEED
// withdraws the deposited table and leaves the page's counts alone; NUMA
// hinting skips it. The end-of-run censuses must agree after each step.
#include "model/arch/x86/fault.h"
#include "model/mm/huge_memory.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/mprotect.h"
#include "tests/thp/anon_world_test.h"

namespace {

using namespace thp_test;

struct huge_zero : anon_world_test {
    huge_zero() {
        start(initial_pmd::none);
        world->memory.transparent_hugepage_use_zero_page = true;
    }
    void fault(unsigned long address, bool write) {
        run([&] { do_user_addr_fault(world->mm.get(), address, write ? FAULT_FLAG_WRITE : 0); });
    }
    page* zero_page() { return world->memory.huge_zero.huge_zero_page.latest_value(); }
    long zero_users() { return kernel::atomic_read(world->memory.huge_zero.huge_zero_refcount); }
};

TEST_F(huge_zero, ReadFaultMapsTheHugeZeroPageReadOnly) {
    const long tables_before = nr_pte_tables();
    fault(PAGE_SIZE, false);
    ASSERT_NE(zero_page(), nullptr);
    EXPECT_EQ(zero_page()->use, page_use::huge_zero);
    EXPECT_EQ(zero_page()->order, TABLE_INDEX_BITS);
    EXPECT_EQ(world->memory.huge_zero.huge_zero_pfn.latest_value(), zero_page()->pfn);
    EXPECT_TRUE(pmd_trans_huge(pmd()));
    EXPECT_FALSE(pmd_write(pmd()));
    EXPECT_EQ(pmd_pfn(pmd()), zero_page()->pfn);
    EXPECT_TRUE(is_huge_zero_pmd(world->mm.get(), pmd()));
    // The shrinker's reference and this mm's; the page has the allocator's
    // reference only and no mapcount (no rmap for the zero page).
    EXPECT_EQ(zero_users(), 2);
    EXPECT_EQ(kernel::atomic_read(zero_page()->_refcount), 1);
    EXPECT_EQ(kernel::atomic_read(zero_page()->_entire_mapcount), -1);
    EXPECT_EQ(nr_pte_tables(), tables_before + 1);  // the deposited table
    check_censuses();
}

TEST_F(huge_zero, AnotherReadFaultOfTheSameMmTakesNoReference) {
    fault(0, false);
    page* first = zero_page();
    fault(3 * PAGE_SIZE, false);  // huge_pmd_set_accessed()
    EXPECT_EQ(zero_page(), first);
    EXPECT_EQ(zero_users(), 2);
    mm_put_huge_zero_page(world->mm.get());  // __mmput()
    EXPECT_EQ(zero_users(), 1);              // the shrinker's
    check_censuses();
}

TEST_F(huge_zero, WithUseZeroPageOffAReadFaultAllocatesATHP) {
    world->memory.transparent_hugepage_use_zero_page = false;
    fault(0, false);
    EXPECT_EQ(zero_page(), nullptr);
    ASSERT_TRUE(pmd_trans_huge(pmd()));
    EXPECT_TRUE(pmd_write(pmd()));
    EXPECT_EQ(pfn_to_page(world->memory, pmd_pfn(pmd()))->use, page_use::anon);
    check_censuses();
}

TEST_F(huge_zero, AWriteFaultOnAnEmptyPmdStillAllocatesATHP) {
    fault(0, true);
    EXPECT_EQ(zero_page(), nullptr);
    ASSERT_TRUE(pmd_trans_huge(pmd()));
    EXPECT_TRUE(pmd_write(pmd()));
    check_censuses();
}

TEST_F(huge_zero, WriteFaultSplitsThePmdAndCopiesAtThePteLevel) {
    fault(0, false);
    const long tables = nr_pte_tables();
    fault(PAGE_SIZE, true);  // do_huge_pmd_wp_page(): fallback, then do_wp_page()
    ASSERT_FALSE(pmd_trans_huge(pmd()));
    ASSERT_FALSE(pmd_none(pmd()));
    EXPECT_EQ(nr_pte_tables(), tables);  // the deposited table became the pmd's
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        SCOPED_TRACE(i);
        EXPECT_TRUE(pte_present(pte(i)));
        if (i == 1) {
            EXPECT_TRUE(pte_write(pte(i)));
            EXPECT_FALSE(is_zero_pfn(pte_pfn(pte(i))));
            EXPECT_EQ(pfn_to_page(world->memory, pte_pfn(pte(i)))->use, page_use::anon);
        } else {
            EXPECT_FALSE(pte_write(pte(i)));
            EXPECT_TRUE(pte_special(pte(i)));
            EXPECT_TRUE(is_zero_pfn(pte_pfn(pte(i))));  // the small zero page
        }
    }
    EXPECT_EQ(zero_users(), 2);  // splitting drops nothing: the mm keeps its reference
    check_censuses();
}

TEST_F(huge_zero, SplitHugePmdGivesZeroPagePtes) {
    fault(0, false);
    under_mmap_read([&] { split_huge_pmd(&world->vma, world->pmd, 0); });
    ASSERT_FALSE(pmd_trans_huge(pmd()));
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        SCOPED_TRACE(i);
        EXPECT_TRUE(is_zero_pfn(pte_pfn(pte(i))));
        EXPECT_TRUE(pte_special(pte(i)));
        EXPECT_FALSE(pte_write(pte(i)));
    }
    check_censuses();
}

TEST_F(huge_zero, DontneedZapsThePmdAndFreesTheDepositedTable) {
    const long tables_before = nr_pte_tables();
    fault(0, false);
    under_mmap_read([&] { madvise_dontneed_single_vma(&world->vma, 0, PMD_SIZE); });
    EXPECT_TRUE(pmd_none(pmd()));
    EXPECT_EQ(nr_pte_tables(), tables_before);
    ASSERT_NE(zero_page(), nullptr);  // no shrinker: the page stays
    EXPECT_EQ(zero_page()->use, page_use::huge_zero);
    EXPECT_EQ(kernel::atomic_read(zero_page()->_refcount), 1);
    check_censuses();
    fault(0, false);  // and is mapped again
    EXPECT_TRUE(is_huge_zero_pmd(world->mm.get(), pmd()));
    check_censuses();
}

TEST_F(huge_zero, NumaHintingSkipsTheHugeZeroPage) {
    fault(0, false);
    const pmd_t before = pmd();
    under_mmap_read([&] { change_prot_numa(&world->vma, 0, PMD_SIZE); });
    EXPECT_EQ(pmd_val(pmd()), pmd_val(before));
    check_censuses();
}

}  // namespace
