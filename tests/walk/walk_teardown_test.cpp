// Teardown, single threaded: MADV_DONTNEED's zap_page_range() unmaps every leaf
// and keeps the tables; munmap() and exit_mmap() free exactly the tables no
// remaining VMA needs; the table census (check_page_tables) holds throughout.
#include "tests/walk/walk_world.h"

namespace walk_test {
namespace {

// Pages a translation exists for (a huge entry counts each page it maps).
unsigned long mapped_pages(world& w, unsigned long start, unsigned long end) {
    unsigned long n = 0;
    for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
        const pgdp_t pgd = pgd_offset(w.mm.get(), addr);
        if (pgd_val(deref(pgd)) == 0) continue;
        const pudp_t pud = pud_offset(pgd, addr);
        if (pud_none(deref(pud))) continue;
        if (pud_leaf(deref(pud))) { ++n; continue; }
        const pmdp_t pmd = pmd_offset(pud, addr);
        if (pmd_none(deref(pmd))) continue;
        if (pmd_leaf(deref(pmd))) { ++n; continue; }
        if (pte_present(deref(pte_offset_map(pmd, addr)))) ++n;
    }
    return n;
}

unsigned long table_pages(world& w) {
    unsigned long n = 0;
    for (const auto& p : w.memory.pages)
        if (p->use == page_use::pud_table || p->use == page_use::pmd_table || p->use == page_use::pte_table) ++n;
    return n;
}

// Small pages, a huge pmd and a huge pud, each in its own VMA.
struct populated : world {
    populated() {
        small = add_vma(0, 2 * PMD_SIZE, false);
        huge_pmd = add_vma(2 * PMD_SIZE, PUD_SIZE, true, false);
        huge_pud = add_vma(PUD_SIZE, 2 * PUD_SIZE, true);
        for (unsigned long a = 0; a < 2 * PMD_SIZE; a += 2 * PAGE_SIZE) fault(a);
        fault(2 * PMD_SIZE);
        fault(PUD_SIZE);
    }
    vm_area_struct *small, *huge_pmd, *huge_pud;
};

TEST(zap_page_range, unmaps_every_leaf_and_keeps_the_tables) {
    populated w;
    ASSERT_EQ(mapped_pages(w, 0, 2 * PUD_SIZE), 4u + HPAGE_PMD_NR + HPAGE_PUD_NR);
    const unsigned long tables = table_pages(w);
    ASSERT_TRUE(w.run([&] {
        kernel::down_read(&w.mm->mmap_lock);
        zap_page_range(w.small, 0, 2 * PUD_SIZE);
        kernel::up_read(&w.mm->mmap_lock);
        check_page_tables(w.mm.get());
    }));
    EXPECT_EQ(mapped_pages(w, 0, 2 * PUD_SIZE), 0u);
    EXPECT_EQ(table_pages(w), tables);  // only free_pgtables() frees tables
}

TEST(zap_page_range, part_of_a_huge_pmd_splits_it) {
    populated w;
    ASSERT_TRUE(w.run([&] {
        kernel::down_read(&w.mm->mmap_lock);
        zap_page_range(w.huge_pmd, 2 * PMD_SIZE, PAGE_SIZE);
        kernel::up_read(&w.mm->mmap_lock);
        check_page_tables(w.mm.get());
    }));
    // A PFN huge pmd is split by unmapping it whole; the next fault refills it.
    EXPECT_EQ(mapped_pages(w, 2 * PMD_SIZE, 3 * PMD_SIZE), 0u);
    EXPECT_EQ(mapped_pages(w, 0, 2 * PMD_SIZE), 4u);
}

TEST(munmap, frees_the_tables_only_the_unmapped_vma_used) {
    populated w;
    ASSERT_TRUE(w.run([&] {
        EXPECT_EQ(vm_munmap(w.mm.get(), PUD_SIZE, PUD_SIZE), 0);  // the huge pud's VMA
        check_page_tables(w.mm.get());
    }));
    EXPECT_EQ(mapped_pages(w, 0, PUD_SIZE), 4u + HPAGE_PMD_NR);
    EXPECT_EQ(mapped_pages(w, PUD_SIZE, 2 * PUD_SIZE), 0u);
    EXPECT_EQ(w.mm->vmas.size(), 2u);
}

TEST(munmap, keeps_a_pte_table_a_neighbouring_vma_still_maps) {
    world w;
    vm_area_struct* left = w.add_vma(0, 2 * PAGE_SIZE, false);
    w.add_vma(2 * PAGE_SIZE, 4 * PAGE_SIZE, false);
    for (unsigned long a = 0; a < 4 * PAGE_SIZE; a += PAGE_SIZE) w.fault(a);
    const unsigned long tables = table_pages(w);
    ASSERT_TRUE(w.run([&] {
        EXPECT_EQ(vm_munmap(w.mm.get(), left->vm_start, 2 * PAGE_SIZE), 0);
        check_page_tables(w.mm.get());
    }));
    EXPECT_EQ(mapped_pages(w, 0, 2 * PAGE_SIZE), 0u);
    EXPECT_EQ(mapped_pages(w, 2 * PAGE_SIZE, 4 * PAGE_SIZE), 2u);
    EXPECT_EQ(table_pages(w), tables);
}

TEST(munmap, removes_the_vma_from_its_address_space) {
    world w;
    address_space mapping;
    vm_area_struct* vma = w.add_vma(0, PMD_SIZE, false);
    ASSERT_TRUE(w.run([&] {
        vma_interval_tree_insert(vma, &mapping);
        EXPECT_EQ(vm_munmap(w.mm.get(), 0, PMD_SIZE), 0);
        unsigned slot = 0;
        i_mmap_lock_read(&mapping);
        EXPECT_EQ(vma_interval_tree_next(&mapping, &slot, 0, ~0ul), nullptr);
        i_mmap_unlock_read(&mapping);
    }));
}

TEST(exit_mmap, frees_every_table_but_the_pgd) {
    populated w;
    ASSERT_TRUE(w.run([&] {
        exit_mmap(w.mm.get());
        check_page_tables(w.mm.get());
    }));
    EXPECT_EQ(table_pages(w), 0u);
    EXPECT_EQ(kernel::atomic_long_read(w.mm->pgtables_bytes), 0);
    EXPECT_TRUE(w.mm->vmas.empty());
}

}  // namespace
}  // namespace walk_test
