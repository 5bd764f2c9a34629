// mprotect(2) single threaded (model/mm/mprotect_fixup.cpp, mmap_merge.cpp,
// mprotect.cpp): a VMA split into 1, 2 or 3 pieces and merged back by the
// inverse call (each vma_merge() case mprotect reaches), ptes and huge pmds
// made read-only and writable again, a write fault refused after PROT_READ and
// served after PROT_READ|PROT_WRITE, and no page's counts changed.
#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

#include "model/arch/x86/fault.h"
#include "model/mm/huge_memory.h"
#include "model/mm/mm_check.h"
#include "model/mm/mprotect.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/vma_lock.h"
#include "tests/common/model_world.h"

namespace {

using namespace mmcheck;
using namespace mmcheck::mm;

constexpr unsigned long P = PAGE_SIZE;
constexpr unsigned long RW = VM_READ | VM_WRITE;
constexpr unsigned long vma_pages_total = 2 * PMD_SIZE / PAGE_SIZE;

// One VMA's range and flags, as a test expects them.
struct piece {
    unsigned long start, end, flags;
    bool operator==(const piece&) const = default;
};

std::ostream& operator<<(std::ostream& os, const piece& p) {
    return os << "[" << p.start / P << "p, " << p.end / P << "p) flags " << p.flags;
}

// One private anonymous VMA over two pmds, [0, 2 * PMD_SIZE).
struct world : model_test::model_world {
    explicit world(unsigned long flags = RW, model_variants v = {}) : model_world(64, v) {
        model_test::init_anon_vma(anon, mm.get(), 0, 2 * PMD_SIZE, flags);
        mm->vmas.push_back(&anon);
    }

    int mprotect(unsigned long start, unsigned long len, unsigned long prot) {
        return do_mprotect_pkey(mm.get(), start, len, prot, -1);
    }

    void write_every_page() {
        for (unsigned long addr = 0; addr < 2 * PMD_SIZE; addr += P)
            ASSERT_EQ(do_user_addr_fault(mm.get(), addr, FAULT_FLAG_WRITE), 0u) << "at page " << addr / P;
    }

    std::vector<piece> layout() const {
        std::vector<piece> out;
        for (const vm_area_struct* vma : mm->vmas) out.push_back({vma->vm_start, vma->vm_end, vma->vm_flags});
        return out;
    }

    // The tree is consistent: its list is ordered without overlaps, every VMA
    // keeps the linear pgoff of an anonymous mapping, the RCU slots that
    // lock_vma_under_rcu() walks find the VMA the list has at every address
    // (none outside), no linked VMA is detached, and no entry maps an address
    // outside every VMA.
    void expect_consistent() {
        unsigned long prev_end = 0;
        for (vm_area_struct* vma : mm->vmas) {
            EXPECT_GE(vma->vm_start, prev_end);
            EXPECT_LT(vma->vm_start, vma->vm_end);
            EXPECT_EQ(vma->vm_pgoff, vma->vm_start >> PAGE_SHIFT);
            EXPECT_FALSE(vma->detached.read());
            prev_end = vma->vm_end;
        }
        for (unsigned long addr = 0; addr < 2 * PMD_SIZE + P; addr += P) {
            vm_area_struct* listed = find_vma(mm.get(), addr);
            if (listed && listed->vm_start > addr) listed = nullptr;
            kernel::rcu_read_lock();
            EXPECT_EQ(mm->vmas.mas_walk(addr), listed) << "at page " << addr / P;
            kernel::rcu_read_unlock();
        }
        check_page_tables(mm.get());
        check_anon_accounting(mm.get());
        check_no_mapping_outside_vmas(mm.get());
    }

    // Every page's pfn and refcount, to compare before and after.
    struct mapping_state {
        std::vector<unsigned long> pfns;
        std::vector<long> counts;
        bool operator==(const mapping_state&) const = default;
    };
    mapping_state mappings() {
        mapping_state s;
        for (unsigned long addr = 0; addr < 2 * PMD_SIZE; addr += P) {
            const model_test::translation t = translate(addr);
            s.pfns.push_back(t.mapped ? t.pfn : 0);
            s.counts.push_back(t.mapped ? page_count(page_at(t.pfn)) : 0);
        }
        return s;
    }

    // Which pages are mapped writable, one bool per page.
    std::vector<bool> writable() {
        std::vector<bool> out;
        for (unsigned long addr = 0; addr < 2 * PMD_SIZE; addr += P) out.push_back(translate(addr).writable);
        return out;
    }

    vm_area_struct anon;
};

// Pages [from, to) false, the others true.
std::vector<bool> writable_except(unsigned long from, unsigned long to) {
    std::vector<bool> out(vma_pages_total, true);
    for (unsigned long i = from; i < to; ++i) out[i] = false;
    return out;
}

TEST(mprotect, of_a_whole_vma_changes_its_flags_without_a_split) {
    world w;
    ASSERT_TRUE(w.run([&] {
        w.write_every_page();
        const auto before = w.mappings();
        EXPECT_EQ(w.mprotect(0, 2 * PMD_SIZE, PROT_READ), 0);
        EXPECT_EQ(w.layout(), (std::vector<piece>{{0, 2 * PMD_SIZE, VM_READ}}));
        EXPECT_EQ(w.writable(), writable_except(0, vma_pages_total));
        EXPECT_EQ(w.mappings(), before);
        w.expect_consistent();
    }));
}

// Case 6 of vma_merge(): the middle piece joins both neighbours, which the
// first absorbs; the middle and the last are detached and out of the tree.
TEST(mprotect, of_the_middle_splits_in_three_and_the_inverse_merges_back) {
    world w;
    ASSERT_TRUE(w.run([&] {
        w.write_every_page();
        const auto before = w.mappings();
        EXPECT_EQ(w.mprotect(2 * P, 3 * P, PROT_READ), 0);
        EXPECT_EQ(w.layout(), (std::vector<piece>{{0, 2 * P, RW}, {2 * P, 5 * P, VM_READ}, {5 * P, 8 * P, RW}}));
        EXPECT_EQ(w.writable(), writable_except(2, 5));
        EXPECT_EQ(w.mappings(), before);
        w.expect_consistent();
        vm_area_struct* first = w.mm->vmas[0];
        vm_area_struct* middle = w.mm->vmas[1];
        vm_area_struct* last = w.mm->vmas[2];
        EXPECT_EQ(middle, &w.anon);  // __split_vma() keeps the VMA for the range

        EXPECT_EQ(w.mprotect(2 * P, 3 * P, PROT_READ | PROT_WRITE), 0);
        EXPECT_EQ(w.layout(), (std::vector<piece>{{0, 8 * P, RW}}));
        EXPECT_EQ(w.mm->vmas[0], first);
        EXPECT_TRUE(middle->detached.read());
        EXPECT_TRUE(last->detached.read());
        // MM_CP_TRY_CHANGE_WRITABLE: the pages are exclusive, so writable at once.
        EXPECT_EQ(w.writable(), writable_except(0, 0));
        EXPECT_EQ(w.mappings(), before);
        w.expect_consistent();
    }));
}

// Case 8: the head joins the next VMA, which takes its start and pgoff.
TEST(mprotect, of_the_head_splits_in_two_and_the_inverse_merges_into_the_next) {
    world w;
    ASSERT_TRUE(w.run([&] {
        w.write_every_page();
        const auto before = w.mappings();
        EXPECT_EQ(w.mprotect(0, 3 * P, PROT_READ), 0);
        EXPECT_EQ(w.layout(), (std::vector<piece>{{0, 3 * P, VM_READ}, {3 * P, 8 * P, RW}}));
        EXPECT_EQ(w.writable(), writable_except(0, 3));
        w.expect_consistent();
        vm_area_struct* next = w.mm->vmas[1];
        vm_area_struct* head = w.mm->vmas[0];

        EXPECT_EQ(w.mprotect(0, 3 * P, PROT_READ | PROT_WRITE), 0);
        EXPECT_EQ(w.layout(), (std::vector<piece>{{0, 8 * P, RW}}));
        EXPECT_EQ(w.mm->vmas[0], next);
        EXPECT_TRUE(head->detached.read());
        EXPECT_EQ(w.writable(), writable_except(0, 0));
        EXPECT_EQ(w.mappings(), before);
        w.expect_consistent();
    }));
}

// Case 7: the tail joins the previous VMA, and is removed.
TEST(mprotect, of_the_tail_splits_in_two_and_the_inverse_merges_into_the_previous) {
    world w;
    ASSERT_TRUE(w.run([&] {
        w.write_every_page();
        const auto before = w.mappings();
        EXPECT_EQ(w.mprotect(5 * P, 3 * P, PROT_READ), 0);
        EXPECT_EQ(w.layout(), (std::vector<piece>{{0, 5 * P, RW}, {5 * P, 8 * P, VM_READ}}));
        EXPECT_EQ(w.writable(), writable_except(5, 8));
        w.expect_consistent();
        vm_area_struct* prev = w.mm->vmas[0];
        EXPECT_EQ(w.mm->vmas[1], &w.anon);

        EXPECT_EQ(w.mprotect(5 * P, 3 * P, PROT_READ | PROT_WRITE), 0);
        EXPECT_EQ(w.layout(), (std::vector<piece>{{0, 8 * P, RW}}));
        EXPECT_EQ(w.mm->vmas[0], prev);
        EXPECT_TRUE(w.anon.detached.read());
        EXPECT_EQ(w.writable(), writable_except(0, 0));
        EXPECT_EQ(w.mappings(), before);
        w.expect_consistent();
    }));
}

// Cases 5 and 4: a boundary between two VMAs moves, no VMA is added or removed.
TEST(mprotect, of_part_of_a_neighbour_moves_the_boundary) {
    world w;
    ASSERT_TRUE(w.run([&] {
        w.write_every_page();
        const auto before = w.mappings();
        EXPECT_EQ(w.mprotect(0, 4 * P, PROT_READ), 0);
        vm_area_struct* first = w.mm->vmas[0];
        vm_area_struct* second = w.mm->vmas[1];
        // Case 5: the read-only VMA grows over the first page of the next.
        EXPECT_EQ(w.mprotect(4 * P, P, PROT_READ), 0);
        EXPECT_EQ(w.layout(), (std::vector<piece>{{0, 5 * P, VM_READ}, {5 * P, 8 * P, RW}}));
        EXPECT_EQ(w.mm->vmas[0], first);
        EXPECT_EQ(w.mm->vmas[1], second);
        EXPECT_EQ(w.writable(), writable_except(0, 5));
        w.expect_consistent();
        // Case 4: the writable VMA grows down over the last two pages.
        EXPECT_EQ(w.mprotect(3 * P, 2 * P, PROT_READ | PROT_WRITE), 0);
        EXPECT_EQ(w.layout(), (std::vector<piece>{{0, 3 * P, VM_READ}, {3 * P, 8 * P, RW}}));
        EXPECT_EQ(w.mm->vmas[1], second);
        EXPECT_EQ(w.writable(), writable_except(0, 3));
        EXPECT_EQ(w.mappings(), before);
        w.expect_consistent();
    }));
}

// access_error(): SIGSEGV on either fault entry, nothing mapped; after
// PROT_READ|PROT_WRITE the same fault maps a writable page.
void write_fault_follows_the_protection(user_addr_fault entry) {
    model_variants v;
    v.fault_entry = entry;
    world w(RW, v);
    ASSERT_TRUE(w.run([&] {
        ASSERT_EQ(do_user_addr_fault(w.mm.get(), 0, FAULT_FLAG_WRITE), 0u);
        EXPECT_EQ(w.mprotect(0, 2 * P, PROT_READ), 0);
        EXPECT_EQ(do_user_addr_fault(w.mm.get(), P, FAULT_FLAG_WRITE), VM_FAULT_SIGSEGV);
        EXPECT_FALSE(w.translate(P).mapped);
        // A present read-only pte is refused too, and stays read-only.
        EXPECT_EQ(do_user_addr_fault(w.mm.get(), 0, FAULT_FLAG_WRITE), VM_FAULT_SIGSEGV);
        EXPECT_TRUE(w.translate(0).mapped);
        EXPECT_FALSE(w.translate(0).writable);
        // A read fault is served (the zero page).
        EXPECT_EQ(do_user_addr_fault(w.mm.get(), P, 0), 0u);
        EXPECT_TRUE(w.translate(P).mapped);
        EXPECT_FALSE(w.translate(P).writable);
        w.expect_consistent();

        EXPECT_EQ(w.mprotect(0, 2 * P, PROT_READ | PROT_WRITE), 0);
        EXPECT_EQ(w.layout(), (std::vector<piece>{{0, 8 * P, RW}}));
        EXPECT_TRUE(w.translate(0).writable);   // made writable by mprotect (exclusive)
        EXPECT_FALSE(w.translate(P).writable);  // the zero page stays read-only
        EXPECT_EQ(do_user_addr_fault(w.mm.get(), P, FAULT_FLAG_WRITE), 0u);
        EXPECT_TRUE(w.translate(P).writable);
        EXPECT_EQ(w.page_at(w.translate(P).pfn)->use, page_use::anon);
        w.expect_consistent();
    }));
}

TEST(mprotect, a_write_fault_after_prot_read_fails_and_after_prot_write_succeeds_v6_6) {
    write_fault_follows_the_protection(user_addr_fault::v6_6_per_vma_lock);
}

TEST(mprotect, a_write_fault_after_prot_read_fails_and_after_prot_write_succeeds_v5_4) {
    write_fault_follows_the_protection(user_addr_fault::v5_4_mmap_lock);
}

// change_huge_pmd() for mprotect: the pmd stays huge (pmdp_invalidate_ad()),
// read-only, and the inverse call makes the exclusive THP writable again.
TEST(mprotect, of_a_whole_thp_keeps_it_huge_and_read_only) {
    world w(RW | VM_HUGEPAGE);
    ASSERT_TRUE(w.run([&] {
        ASSERT_EQ(do_user_addr_fault(w.mm.get(), 0, FAULT_FLAG_WRITE), 0u);
        ASSERT_TRUE(w.translate(0).huge);
        const auto before = w.mappings();
        EXPECT_EQ(w.mprotect(0, PMD_SIZE, PROT_READ), 0);
        EXPECT_EQ(w.layout(), (std::vector<piece>{{0, PMD_SIZE, VM_READ | VM_HUGEPAGE},
                                                  {PMD_SIZE, 2 * PMD_SIZE, RW | VM_HUGEPAGE}}));
        for (unsigned long addr = 0; addr < PMD_SIZE; addr += P) {
            EXPECT_TRUE(w.translate(addr).huge);
            EXPECT_FALSE(w.translate(addr).writable);
        }
        EXPECT_EQ(w.mappings(), before);
        w.expect_consistent();

        EXPECT_EQ(w.mprotect(0, PMD_SIZE, PROT_READ | PROT_WRITE), 0);
        EXPECT_EQ(w.layout(), (std::vector<piece>{{0, 2 * PMD_SIZE, RW | VM_HUGEPAGE}}));
        EXPECT_TRUE(w.translate(0).huge);
        EXPECT_TRUE(w.translate(0).writable);
        EXPECT_EQ(w.mappings(), before);
        w.expect_consistent();
    }));
}

// A range that cuts a THP splits its pmd (vma_adjust_trans_huge() in the VMA
// split); the ptes of the range alone become read-only.
TEST(mprotect, of_part_of_a_thp_splits_its_pmd) {
    world w(RW | VM_HUGEPAGE);
    ASSERT_TRUE(w.run([&] {
        ASSERT_EQ(do_user_addr_fault(w.mm.get(), 0, FAULT_FLAG_WRITE), 0u);
        const unsigned long head = w.translate(0).pfn;
        EXPECT_EQ(w.mprotect(P, P, PROT_READ), 0);
        EXPECT_EQ(w.layout().size(), 3u);
        for (unsigned long i = 0; i < HPAGE_PMD_NR; ++i) {
            const model_test::translation t = w.translate(i * P);
            EXPECT_TRUE(t.mapped);
            EXPECT_FALSE(t.huge);
            EXPECT_EQ(t.pfn, head + i);
            EXPECT_EQ(t.writable, i != 1) << "page " << i;
        }
        w.expect_consistent();
    }));
}

// change_pte_range()'s swap-pte branch: a writable migration entry (as
// try_to_migrate_one() leaves it) becomes a readable exclusive one for an
// anonymous page. The entry is put back afterwards, so the censuses hold.
TEST(mprotect, makes_a_writable_migration_entry_readable) {
    world w;
    ASSERT_TRUE(w.run([&] {
        w.write_every_page();
        // Replaces the pte at 0 under its ptl, as the kernel would; returns the old one.
        const auto replace = [&](auto make_new) {
            kernel::spinlock_t* ptl = nullptr;
            const ptep_t pte = v6_5::pte_offset_map_lock(w.mm.get(), w.pmd_of(0), 0, &ptl);
            const pte_t old = ptep_get(pte);
            set_pte_at(w.mm.get(), 0, pte, make_new(old));
            v6_5::pte_unmap_unlock(pte, ptl);
            return old;
        };
        const pte_t mapped = replace([](pte_t old) { return swp_entry_to_pte(make_writable_migration_entry(pte_pfn(old))); });
        const unsigned long pfn = pte_pfn(mapped);
        EXPECT_EQ(w.mprotect(0, P, PROT_READ), 0);
        const swp_entry_t entry = pte_to_swp_entry(replace([&](pte_t) { return pte_wrprotect(mapped); }));
        EXPECT_TRUE(is_migration_entry(entry));
        EXPECT_FALSE(is_writable_migration_entry(entry));
        EXPECT_FALSE(is_readable_migration_entry(entry));  // readable exclusive
        EXPECT_EQ(swp_offset(entry), pfn);
        w.expect_consistent();
    }));
}

TEST(mprotect, refuses_bad_ranges) {
    world w;
    ASSERT_TRUE(w.run([&] {
        EXPECT_EQ(w.mprotect(1, P, PROT_READ), -EINVAL);
        EXPECT_EQ(w.mprotect(0, 0, PROT_READ), 0);
        // Past the VMA's end: the VMA is still changed, the call says ENOMEM.
        EXPECT_EQ(w.mprotect(4 * P, 8 * P, PROT_READ), -ENOMEM);
        EXPECT_EQ(w.layout(), (std::vector<piece>{{0, 4 * P, RW}, {4 * P, 8 * P, VM_READ}}));
        // No VMA at the start.
        EXPECT_EQ(w.mprotect(8 * P, P, PROT_READ), -ENOMEM);
        w.expect_consistent();
    }));
}

}  // namespace
