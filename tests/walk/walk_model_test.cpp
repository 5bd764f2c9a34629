// The page walker, single threaded: every present leaf reaches the callback
// for its level exactly once, holes are reported, and together the callbacks
// tile the walked range; the 2019 form's split of a huge pmd under a pte_entry
// walker; walk_page_mapping() clips each VMA to the pgoff range.
#include <algorithm>
#include <map>

#include "tests/walk/walk_world.h"

namespace walk_test {
namespace {

enum class seen { pud_leaf, pmd_leaf, pte, hole };
struct visit {
    seen kind;
    unsigned long start, end;
    bool present;
    mm_struct* mm;
};
std::vector<visit>* visits = nullptr;  // the running test's log

void log(seen kind, unsigned long start, unsigned long end, bool present, mm_walk* walk) {
    visits->push_back({kind, start, end, present, walk->mm});
}
int pud_entry(pudp_t pud, unsigned long addr, unsigned long next, mm_walk* walk) {
    const pud_t val = pudp_get(pud);
    if (pud_leaf(val)) {
        log(seen::pud_leaf, addr, next, true, walk);
        walk->action = ACTION_CONTINUE;
    }
    return 0;
}
int pmd_entry(pmdp_t pmd, unsigned long addr, unsigned long next, mm_walk* walk) {
    const pmd_t val = pmdp_get(pmd);
    if (pmd_leaf(val)) {
        log(seen::pmd_leaf, addr, next, true, walk);
        walk->action = ACTION_CONTINUE;
    }
    return 0;
}
int pte_entry(ptep_t pte, unsigned long addr, unsigned long next, mm_walk* walk) {
    log(seen::pte, addr, next, pte_present(ptep_get(pte)), walk);
    return 0;
}
int pte_hole(unsigned long addr, unsigned long next, int, mm_walk* walk) {
    log(seen::hole, addr, next, false, walk);
    return 0;
}
int walk_all(unsigned long, unsigned long, mm_walk*) { return 0; }

const mm_walk_ops all_levels{&pud_entry, &pmd_entry, &pte_entry, &pte_hole, &walk_all};

// The reference: the present leaves of the tables, read directly, as
// [start, end) -> level.
std::map<unsigned long, seen> present_leaves(mm_struct* mm, unsigned long end) {
    std::map<unsigned long, seen> leaves;
    for (unsigned long addr = 0; addr < end; addr += PAGE_SIZE) {
        const pgd_t pgd = deref(pgd_offset(mm, addr));
        if (pgd_val(pgd) == 0) continue;
        const pudp_t pud = pud_offset(pgd_offset(mm, addr), addr);
        if (pud_none(deref(pud))) continue;
        if (pud_leaf(deref(pud))) {
            leaves[addr & PUD_MASK] = seen::pud_leaf;
            continue;
        }
        const pmdp_t pmd = pmd_offset(pud, addr);
        if (pmd_none(deref(pmd))) continue;
        if (pmd_leaf(deref(pmd))) {
            leaves[addr & PMD_MASK] = seen::pmd_leaf;
            continue;
        }
        if (pte_present(deref(pte_offset_map(pmd, addr)))) leaves[addr] = seen::pte;
    }
    return leaves;
}

// A huge-pmd VMA, a small-page VMA with a gap after it, a huge-pud VMA, and
// nothing above: every kind of leaf and hole the walker reports.
struct mixed_world : world {
    explicit mixed_world(pagewalk_pud form) : world(form) {
        add_vma(0, PUD_SIZE, true, false);
        add_vma(PUD_SIZE, PUD_SIZE + 2 * PMD_SIZE, false);
        add_vma(2 * PUD_SIZE, 3 * PUD_SIZE, true);
        fault(PAGE_SIZE);                      // huge pmd at 0
        fault(PUD_SIZE);                       // ptes 0 and 2 of the small VMA's first pmd
        fault(PUD_SIZE + 2 * PAGE_SIZE, FAULT_FLAG_WRITE);
        fault(2 * PUD_SIZE + 3 * PAGE_SIZE);   // huge pud
    }
    static constexpr unsigned long walk_end = 4 * PUD_SIZE;
};

class walk_forms : public ::testing::TestWithParam<pagewalk_pud> {};

TEST_P(walk_forms, every_present_leaf_once_with_its_callback_and_the_range_tiled) {
    mixed_world w(GetParam());
    std::vector<visit> log_;
    visits = &log_;
    const auto expected = present_leaves(w.mm.get(), mixed_world::walk_end);
    ASSERT_EQ(expected.size(), 4u);  // one huge pmd, two ptes, one huge pud
    ASSERT_TRUE(w.run([&] {
        kernel::down_read(&w.mm->mmap_lock);
        EXPECT_EQ(walk_page_range(w.mm.get(), 0, mixed_world::walk_end, &all_levels, nullptr), 0);
        kernel::up_read(&w.mm->mmap_lock);
    }));
    std::map<unsigned long, seen> reported;
    for (const visit& v : log_)
        if (v.kind != seen::hole && v.present) {
            EXPECT_TRUE(reported.emplace(v.start, v.kind).second) << v.start;
        }
    EXPECT_EQ(reported, expected);
    // Leaves, pte_entry calls and holes cover [0, walk_end) once, in order.
    std::sort(log_.begin(), log_.end(), [](const visit& a, const visit& b) { return a.start < b.start; });
    unsigned long covered = 0;
    for (const visit& v : log_) {
        EXPECT_EQ(v.start, covered) << "gap or overlap at " << v.start;
        covered = v.end;
    }
    EXPECT_EQ(covered, mixed_world::walk_end);
    // Nothing was split or unmapped by a walker that handles huge entries.
    EXPECT_EQ(present_leaves(w.mm.get(), mixed_world::walk_end), expected);
    w.run([&] { check_page_tables(w.mm.get()); });
    visits = nullptr;
}

INSTANTIATE_TEST_SUITE_P(v6, walk_forms,
                         ::testing::Values(pagewalk_pud::v6_6_action_again, pagewalk_pud::fixed_3b89863c3fa4));

// The 2019 form splits every huge pmd for a pte_entry walker after pmd_entry
// saw it (the reason the walk_page_mapping() series let pmd_entry decide): the
// leaf is reported, then unmapped, then its range reported again as a hole.
TEST(walk_v2019, pte_entry_walker_splits_a_huge_pmd_pmd_entry_already_saw) {
    world w(pagewalk_pud::v2019_pud_trans_huge_lock);
    w.add_vma(0, PUD_SIZE, true, false);
    w.fault(0);
    std::vector<visit> log_;
    visits = &log_;
    ASSERT_TRUE(w.run([&] {
        kernel::down_read(&w.mm->mmap_lock);
        walk_page_range(w.mm.get(), 0, PUD_SIZE, &all_levels, nullptr);
        kernel::up_read(&w.mm->mmap_lock);
    }));
    ASSERT_GE(log_.size(), 2u);
    EXPECT_EQ(log_[0].kind, seen::pmd_leaf);
    EXPECT_EQ(log_[1].kind, seen::hole);
    EXPECT_EQ(log_[1].start, 0u);
    EXPECT_TRUE(present_leaves(w.mm.get(), PUD_SIZE).empty());
    visits = nullptr;
}

// walk_page_mapping() walks each mm's VMA over just the pages of the pgoff
// range it maps.
TEST(walk_page_mapping, clips_each_vma_to_the_pgoff_range) {
    world w;
    address_space mapping;
    mm_struct other(w.memory, w.variants);
    vm_area_struct* first = w.add_vma(0, PMD_SIZE, false);  // pgoffs 0..3
    vm_area_struct second;  // first's mapping: pgoffs 2..5 at PUD_SIZE in the other mm
    second.vm_flags = first->vm_flags;
    second.vm_ops = first->vm_ops;
    second.vm_private_data = first->vm_private_data;
    second.vm_mapping = first->vm_mapping;
    second.vm_mm = &other;
    second.vm_start = PUD_SIZE;
    second.vm_end = PUD_SIZE + PMD_SIZE;
    second.vm_pgoff = 2;
    other.vmas.push_back(&second);
    std::vector<visit> log_;
    visits = &log_;
    ASSERT_TRUE(w.run([&] {
        vma_interval_tree_insert(first, &mapping);
        vma_interval_tree_insert(&second, &mapping);
        for (unsigned long a = 0; a < PMD_SIZE; a += PAGE_SIZE) w.fault(a);
        do_user_addr_fault(&other, PUD_SIZE, 0);
        i_mmap_lock_read(&mapping);
        EXPECT_EQ(walk_page_mapping(&mapping, 2, 2, &all_levels, nullptr), 0);
        i_mmap_unlock_read(&mapping);
    }));
    std::vector<unsigned long> in_first, in_second;
    for (const visit& v : log_) (v.mm == w.mm.get() ? in_first : in_second).push_back(v.start);
    EXPECT_EQ(in_first, (std::vector<unsigned long>{2 * PAGE_SIZE, 3 * PAGE_SIZE}));
    EXPECT_EQ(in_second, (std::vector<unsigned long>{PUD_SIZE, PUD_SIZE + PAGE_SIZE}));
    visits = nullptr;
}

TEST(walk_page_mapping, without_i_mmap_rwsem_is_a_lock_discipline_violation) {
    world w;
    address_space mapping;
    EXPECT_THROW(walk_page_mapping(&mapping, 0, 1, &all_levels, nullptr), kernel::backend::execution_aborted);
    ASSERT_TRUE(w.exec.violation.has_value());
    EXPECT_EQ(w.exec.violation->kind, violation_kind::lock_discipline);
}

}  // namespace
}  // namespace walk_test
