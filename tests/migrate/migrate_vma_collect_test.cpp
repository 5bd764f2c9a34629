// migrate_vma collect, pages and finalize on each kind of entry, single
// threaded: holes, the zero page, a mapped page (migration entry, page lock,
// counts), a THP (split_huge_page(), then collected; skipped when pinned),
// restore without a destination, and the two buggy variants (8315ada7f095's
// out-of-bounds dst[] write; installing over a page a fault mapped after
// collect).
#include <gtest/gtest.h>

#include "model/arch/x86/fault.h"
#include "model/mm/mm_check.h"
#include "tests/migrate/migrate_world.h"

namespace {

using namespace migrate_test;

void expect_clean(migrate_world& w) {
    EXPECT_EQ(violation_of(w, [&] {
                  check_page_tables(w.mm.get());
                  check_anon_accounting(w.mm.get());
              }),
              "");
    EXPECT_TRUE(w.locked_pages().empty());
}

void fault(migrate_world& w, unsigned long addr, bool write) {
    ASSERT_EQ(violation_of(w, [&] { do_user_addr_fault(w.mm.get(), addr, write ? FAULT_FLAG_WRITE : 0); }), "");
}

TEST(MigrateVmaCollect, EmptyPmdIsHolesWithoutPages) {
    migrate_world w(false);
    migrate_round r(w, 0, PMD_SIZE);
    ASSERT_EQ(violation_of(w, [&] { EXPECT_EQ(r.setup(), 0); }), "");
    EXPECT_EQ(r.args.npages, HPAGE_PMD_NR);
    EXPECT_EQ(r.args.cpages, HPAGE_PMD_NR);
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        EXPECT_EQ(r.src[i], MIGRATE_PFN_MIGRATE);  // no MIGRATE_PFN_VALID: no page
        EXPECT_EQ(r.dst[i], 0u);
    }
    EXPECT_FALSE(w.translate(0).mapped);
    ASSERT_EQ(violation_of(w, [&] {
                  r.give_destinations();
                  r.pages_and_finalize();
              }),
              "");
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        const translation t = w.translate(i * PAGE_SIZE);
        EXPECT_TRUE(t.mapped && t.writable && !t.huge) << i;
        EXPECT_EQ(t.pfn, r.dst[i] >> MIGRATE_PFN_SHIFT);
        EXPECT_EQ(r.src[i], MIGRATE_PFN_MIGRATE);
    }
    expect_clean(w);
}

TEST(MigrateVmaCollect, ZeroPageIsAHoleAndIsReplaced) {
    migrate_world w(false);
    fault(w, 0, false);
    ASSERT_TRUE(is_zero_pfn(w.translate(0).pfn));
    migrate_round r(w, 0, PAGE_SIZE);
    ASSERT_EQ(violation_of(w, [&] { r.setup(); }), "");
    EXPECT_EQ(r.src[0], MIGRATE_PFN_MIGRATE);
    EXPECT_TRUE(is_zero_pfn(w.translate(0).pfn));  // collect leaves the zero pte
    ASSERT_EQ(violation_of(w, [&] {
                  r.give_destinations();
                  r.pages_and_finalize();
              }),
              "");
    EXPECT_EQ(w.translate(0).pfn, r.dst[0] >> MIGRATE_PFN_SHIFT);
    EXPECT_FALSE(is_zero_pfn(w.translate(0).pfn));
    expect_clean(w);
}

TEST(MigrateVmaCollect, MappedPageBecomesALockedMigrationEntry) {
    migrate_world w(false);
    fault(w, 0, true);
    const unsigned long old_pfn = w.translate(0).pfn;
    page* old_page = w.page_at(old_pfn);
    migrate_round r(w, 0, PAGE_SIZE);
    ASSERT_EQ(violation_of(w, [&] { r.setup(); }), "");
    EXPECT_EQ(r.src[0], migrate_pfn(old_pfn) | MIGRATE_PFN_MIGRATE | MIGRATE_PFN_WRITE);
    const pte_t pte = w.pte_at(0);
    ASSERT_TRUE(is_swap_pte(pte));
    EXPECT_TRUE(is_writable_migration_entry(pte_to_swp_entry(pte)));
    EXPECT_EQ(swp_offset_pfn(pte_to_swp_entry(pte)), old_pfn);
    EXPECT_EQ(w.locked_pages(), std::vector<unsigned long>{old_pfn});
    EXPECT_EQ(page_count(old_page), 1);  // collect's reference only
    EXPECT_EQ(page_mapcount(old_page), 0);
    ASSERT_EQ(violation_of(w, [&] {
                  r.give_destinations();
                  r.pages_and_finalize();
              }),
              "");
    const translation t = w.translate(0);
    EXPECT_TRUE(t.mapped && t.writable);
    EXPECT_EQ(t.pfn, r.dst[0] >> MIGRATE_PFN_SHIFT);
    EXPECT_EQ(old_page->use, page_use::free);  // the source's last reference went
    expect_clean(w);
}

TEST(MigrateVmaFinalize, WithoutDestinationRestoresTheSource) {
    migrate_world w(false);
    fault(w, PAGE_SIZE, true);
    const unsigned long old_pfn = w.translate(PAGE_SIZE).pfn;
    migrate_round r(w, 0, PMD_SIZE);
    ASSERT_EQ(violation_of(w, [&] {
                  r.setup();
                  r.pages_and_finalize();  // the driver migrates nothing
              }),
              "");
    const translation t = w.translate(PAGE_SIZE);
    EXPECT_TRUE(t.mapped && t.writable && !t.migration_entry);
    EXPECT_EQ(t.pfn, old_pfn);
    EXPECT_EQ(r.src[1] & MIGRATE_PFN_MIGRATE, 0u);  // no dst: not migrated
    EXPECT_FALSE(w.translate(0).mapped);
    expect_clean(w);
}

// v6.6 migrate_vma_collect_pmd(): split_huge_page() of the THP, then its
// order-0 pages are collected like any mapped page and migrated.
TEST(MigrateVmaCollect, ThpIsSplitAndItsPagesCollected) {
    migrate_world w(true);
    fault(w, 0, true);
    ASSERT_TRUE(w.translate(0).huge);
    const unsigned long head = w.translate(0).pfn;
    migrate_round r(w, 0, PMD_SIZE);
    ASSERT_EQ(violation_of(w, [&] { r.setup(); }), "");
    EXPECT_EQ(r.args.npages, HPAGE_PMD_NR);
    EXPECT_EQ(r.args.cpages, HPAGE_PMD_NR);
    std::vector<unsigned long> want_locked;
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        EXPECT_EQ(r.src[i], migrate_pfn(head + i) | MIGRATE_PFN_MIGRATE | MIGRATE_PFN_WRITE) << i;
        const pte_t pte = w.pte_at(i * PAGE_SIZE);
        ASSERT_TRUE(is_swap_pte(pte)) << i;
        EXPECT_TRUE(is_writable_migration_entry(pte_to_swp_entry(pte))) << i;
        EXPECT_EQ(swp_offset_pfn(pte_to_swp_entry(pte)), head + i);
        page* p = w.page_at(head + i);
        EXPECT_EQ(compound_order(p), 0u) << i;  // split: every page its own folio
        EXPECT_EQ(p->compound_head, nullptr) << i;
        EXPECT_EQ(page_count(p), 1) << i;  // collect's reference only
        EXPECT_EQ(page_mapcount(p), 0) << i;
        want_locked.push_back(head + i);
    }
    EXPECT_EQ(w.locked_pages(), want_locked);
    ASSERT_EQ(violation_of(w, [&] {
                  r.give_destinations();
                  r.pages_and_finalize();
              }),
              "");
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        const translation t = w.translate(i * PAGE_SIZE);
        EXPECT_TRUE(t.mapped && t.writable && !t.huge) << i;
        EXPECT_EQ(t.pfn, r.dst[i] >> MIGRATE_PFN_SHIFT) << i;
        EXPECT_EQ(w.page_at(head + i)->use, page_use::free) << i;  // each source's last reference went
    }
    expect_clean(w);
}

// A reference besides the mapping's (a GUP pin) makes can_split_folio() fail:
// split_huge_page() returns -EAGAIN and collect skips the whole range.
TEST(MigrateVmaCollect, PinnedThpIsNotSplitAndIsSkipped) {
    migrate_world w(true);
    fault(w, 0, true);
    const unsigned long head = w.translate(0).pfn;
    ASSERT_EQ(violation_of(w, [&] { get_page(w.page_at(head)); }), "");
    migrate_round r(w, 0, PMD_SIZE);
    ASSERT_EQ(violation_of(w, [&] { r.setup(); }), "");
    EXPECT_EQ(r.args.npages, HPAGE_PMD_NR);
    EXPECT_EQ(r.args.cpages, 0u);
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        EXPECT_EQ(r.src[i], 0u) << i;
        const translation t = w.translate(i * PAGE_SIZE);
        EXPECT_TRUE(t.mapped && t.huge && t.writable) << i;
        EXPECT_EQ(t.pfn, head + i);
    }
    EXPECT_EQ(compound_order(w.page_at(head)), TABLE_INDEX_BITS);  // still one THP (HPAGE_PMD_ORDER)
    EXPECT_EQ(page_count(w.page_at(head)), 2);  // the mapping and the pin: collect dropped its own
    EXPECT_TRUE(w.locked_pages().empty());
    ASSERT_EQ(violation_of(w, [&] { put_page(w.page_at(head)); }), "");
    expect_clean(w);
}

TEST(MigrateVmaCollect, EarlyNpagesWritesPastTheArrays) {
    model_variants v;
    v.migrate_collect = migrate_vma_collect::v4_14_early_npages;
    migrate_world w(false, v);
    migrate_round r(w, 0, PMD_SIZE);
    EXPECT_NE(violation_of(w, [&] { r.setup(); }).find("index 4 past the driver's 4-entry array"), std::string::npos);
}

TEST(MigrateVmaCollect, EarlyNpagesLeavesAHolesDstUncleared) {
    model_variants v;
    v.migrate_collect = migrate_vma_collect::v4_14_early_npages;
    migrate_world w(false, v);
    migrate_round r(w, 0, 2 * PMD_SIZE);
    fault(w, PMD_SIZE, true);  // pmd 0 a hole; pmd 1 a table, so the walk ends in its pte loop
    r.dst[0] = 0xdead;         // the driver's array as it came
    ASSERT_EQ(violation_of(w, [&] { r.setup(); }), "");
    EXPECT_EQ(r.dst[0], 0xdeadu);
}

// A fault maps page 1 between collect and migrate_vma_pages(): the fixed insert
// sees it under the ptl and gives up; the hypothetical one installs over it.
std::string insert_after_racing_fault(migrate_vma_insert form) {
    model_variants v;
    v.migrate_insert = form;
    migrate_world w(false, v);
    migrate_round r(w, 0, PMD_SIZE);
    std::string found = violation_of(w, [&] {
        r.setup();
        r.give_destinations();
    });
    fault(w, PAGE_SIZE, true);
    const unsigned long faulted = w.translate(PAGE_SIZE).pfn;
    found += violation_of(w, [&] {
        r.pages_and_finalize();
        check_anon_accounting(w.mm.get());
    });
    if (found.empty()) {
        EXPECT_EQ(w.translate(PAGE_SIZE).pfn, faulted);
        EXPECT_EQ(r.src[1] & MIGRATE_PFN_MIGRATE, 0u);
        EXPECT_EQ(r.src[0], MIGRATE_PFN_MIGRATE);
    }
    return found;
}

TEST(MigrateVmaPages, InsertKeepsThePageARacingFaultMapped) {
    EXPECT_EQ(insert_after_racing_fault(migrate_vma_insert::v6_5_pte_offset_map_lock), "");
    EXPECT_EQ(insert_after_racing_fault(migrate_vma_insert::v4_14_pmd_trans_unstable), "");
}

TEST(MigrateVmaPages, InsertWithoutRecheckLosesThatPage) {
    EXPECT_NE(insert_after_racing_fault(migrate_vma_insert::no_pte_none_recheck).find("mapcount"),
              std::string::npos);
}

TEST(MigrateVmaSetup, RejectsARangeOutsideTheVma) {
    migrate_world w(false);
    migrate_round r(w, PMD_SIZE, 3 * PMD_SIZE);
    EXPECT_LT(r.setup(), 0);
    migrate_round empty(w, PAGE_SIZE, PAGE_SIZE);
    EXPECT_LT(empty.setup(), 0);
}

}  // namespace
