// fork() single threaded (model/mm/fork.cpp, v6.6): the child maps what the
// parent mapped, write-protected on both sides; a write on either side COWs
// (or reuses the page once it is exclusive again); a THP is shared whole,
// with a deposited table for the child, and split by a write; the huge zero
// page is shared with a reference for the child, a zero-page pte copied as
// it is; refcounts and mapcounts are
// exact throughout; and exit of both mms frees every page.
#include <gtest/gtest.h>

#include <cstring>

#include "model/arch/x86/fault.h"
#include "model/arch/x86/tlb.h"
#include "model/mm/fork.h"
#include "model/mm/huge_memory.h"
#include "model/mm/mm_check.h"
#include "model/mm/mprotect.h"
#include "model/mm/rmap.h"
#include "tests/common/model_world.h"

namespace {

using namespace mmcheck;
using namespace mmcheck::mm;
using model_test::translation;

// The parent: one private anonymous VMA over the first pmd, `flags` beside
// VM_READ | VM_WRITE; pages carry contents. Traced, for the lock tests.
struct fork_world : model_test::model_world {
    explicit fork_world(unsigned long flags = 0, model_variants v = {}) : model_world(48, v, true) {
        memory.user_contents = true;
        model_test::init_anon_vma(vma, mm.get(), 0, PMD_SIZE, VM_READ | VM_WRITE | flags);
        mm->vmas.push_back(&vma);
    }

    void fault(mm_struct* target, unsigned long addr, bool write) {
        ASSERT_EQ(do_user_addr_fault(target, addr, (write ? FAULT_FLAG_WRITE : 0) | FAULT_FLAG_USER), 0u);
    }
    // A user store, as the CPU does it: walk, else fault and walk again.
    void store(mm_struct* target, unsigned long addr, unsigned long value) {
        cpu_tlb cpu;  // a CPU of its own each time: nothing stale
        if (tlb_user_store(&cpu, target, addr, value) == hw_access_result::done) return;
        fault(target, addr, true);
        ASSERT_EQ(tlb_user_store(&cpu, target, addr, value), hw_access_result::done);
    }
    unsigned long load(mm_struct* target, unsigned long addr) {
        cpu_tlb cpu;
        unsigned long value = 0;
        if (tlb_user_load(&cpu, target, addr, &value) != hw_access_result::done) ADD_FAILURE() << "load faulted";
        return value;
    }

    // The translation in any mm, as model_world::translate() does for its own.
    translation translate_in(mm_struct* target, unsigned long addr) {
        if (target == mm.get()) return translate(addr);
        std::swap(mm, child);
        const translation t = translate(addr);
        std::swap(mm, child);
        return t;
    }

    void fork() {
        ASSERT_TRUE(run([&] { child = dup_mm(mm.get()); }));
        ASSERT_NE(child, nullptr);
    }
    void check_both() {
        EXPECT_TRUE(run([&] {
            check_page_tables({mm.get(), child.get()});
            check_anon_accounting({mm.get(), child.get()});
        }));
    }
    long refs(unsigned long pfn) { return page_count(page_at(pfn)); }
    long maps(unsigned long pfn) { return page_mapcount(page_at(pfn)); }
    // Pages that are neither free nor reserved, nor a pgd, nor the huge zero page.
    int pages_in_use() {
        int n = 0;
        for (const auto& p : memory.pages)
            if (p->use != page_use::free && p->use != page_use::reserved && p->use != page_use::pgd_table &&
                p->use != page_use::huge_zero && !(p->use == page_use::tail && p->compound_head->use == page_use::huge_zero))
                ++n;
        return n;
    }
    int steps(const char* op, const char* object) const {
        int n = 0;
        for (const auto& s : exec.trace)
            if (std::strcmp(s.op, op) == 0 && std::strcmp(s.object.what, object) == 0) ++n;
        return n;
    }

    vm_area_struct vma;
    std::unique_ptr<mm_struct> child;
};

TEST(fork, child_maps_the_parents_pages_write_protected_on_both_sides) {
    fork_world w;
    w.store(w.mm.get(), 0, 11);
    w.store(w.mm.get(), PAGE_SIZE, 22);
    const translation before = w.translate(0);
    ASSERT_TRUE(before.mapped && before.writable);
    w.fork();
    ASSERT_EQ(w.child->vmas.size(), 1u);
    EXPECT_EQ(w.child->vmas[0]->vm_start, 0u);
    EXPECT_EQ(w.child->vmas[0]->vm_end, PMD_SIZE);
    EXPECT_EQ(w.child->vmas[0]->vm_mm, w.child.get());
    EXPECT_NE(w.child->vmas[0], &w.vma);
    for (unsigned long addr : {0ul, PAGE_SIZE}) {
        const translation parent = w.translate(addr);
        const translation child = w.translate_in(w.child.get(), addr);
        ASSERT_TRUE(parent.mapped && child.mapped);
        EXPECT_EQ(parent.pfn, child.pfn);
        EXPECT_FALSE(parent.writable);
        EXPECT_FALSE(child.writable);
        EXPECT_EQ(w.refs(parent.pfn), 2);
        EXPECT_EQ(w.maps(parent.pfn), 2);
        EXPECT_FALSE(PageAnonExclusive(w.page_at(parent.pfn)));
    }
    EXPECT_EQ(w.load(w.child.get(), 0), 11u);
    EXPECT_EQ(w.load(w.child.get(), PAGE_SIZE), 22u);
    EXPECT_EQ(w.translate_in(w.child.get(), 2 * PAGE_SIZE).mapped, false);  // never faulted: nothing to copy
    w.check_both();
}

TEST(fork, a_write_in_the_child_copies_and_the_parent_then_reuses_its_page) {
    fork_world w;
    w.store(w.mm.get(), 0, 11);
    const unsigned long original = w.translate(0).pfn;
    w.fork();
    w.store(w.child.get(), 0, 33);
    const translation child = w.translate_in(w.child.get(), 0);
    ASSERT_TRUE(child.mapped && child.writable);
    EXPECT_NE(child.pfn, original);
    EXPECT_EQ(w.load(w.child.get(), 0), 33u);
    EXPECT_EQ(w.load(w.mm.get(), 0), 11u);
    EXPECT_EQ(w.refs(original), 1);
    EXPECT_EQ(w.maps(original), 1);
    EXPECT_FALSE(w.translate(0).writable);  // the parent's pte stays read-only until it writes
    w.check_both();
    // The parent's write fault finds the page its own again: reused in place.
    w.store(w.mm.get(), 0, 44);
    EXPECT_EQ(w.translate(0).pfn, original);
    EXPECT_TRUE(w.translate(0).writable);
    EXPECT_EQ(w.load(w.mm.get(), 0), 44u);
    EXPECT_EQ(w.load(w.child.get(), 0), 33u);
    w.check_both();
}

TEST(fork, a_write_in_the_parent_copies_and_the_child_keeps_the_value_at_fork) {
    fork_world w;
    w.store(w.mm.get(), 0, 11);
    const unsigned long original = w.translate(0).pfn;
    w.fork();
    w.store(w.mm.get(), 0, 55);
    EXPECT_NE(w.translate(0).pfn, original);
    EXPECT_EQ(w.translate_in(w.child.get(), 0).pfn, original);
    EXPECT_EQ(w.load(w.mm.get(), 0), 55u);
    EXPECT_EQ(w.load(w.child.get(), 0), 11u);
    EXPECT_EQ(w.refs(original), 1);
    w.check_both();
}

TEST(fork, the_zero_page_pte_is_copied_as_is_and_a_write_in_the_child_gets_a_zeroed_page) {
    fork_world w;
    w.fault(w.mm.get(), 0, false);  // do_anonymous_page(): the zero page, special
    ASSERT_TRUE(w.translate(0).mapped);
    ASSERT_TRUE(is_zero_pfn(w.translate(0).pfn));
    w.fork();
    EXPECT_TRUE(is_zero_pfn(w.translate_in(w.child.get(), 0).pfn));
    EXPECT_FALSE(w.translate_in(w.child.get(), 0).writable);
    w.check_both();
    w.store(w.child.get(), 8, 7);
    const translation child = w.translate_in(w.child.get(), 0);
    EXPECT_FALSE(is_zero_pfn(child.pfn));
    EXPECT_TRUE(child.writable);
    EXPECT_EQ(w.load(w.child.get(), 0), 0u);
    EXPECT_EQ(w.load(w.child.get(), 8), 7u);
    EXPECT_TRUE(is_zero_pfn(w.translate(0).pfn));
    w.check_both();
}

TEST(fork, a_thp_is_shared_whole_and_a_write_in_the_child_splits_its_pmd_and_copies_one_page) {
    fork_world w(VM_HUGEPAGE);
    w.store(w.mm.get(), 0, 11);
    const translation parent = w.translate(0);
    ASSERT_TRUE(parent.huge);
    page* thp = w.page_at(parent.pfn);
    w.fork();
    const translation child = w.translate_in(w.child.get(), 0);
    ASSERT_TRUE(child.mapped && child.huge);
    EXPECT_EQ(child.pfn, parent.pfn);
    EXPECT_FALSE(child.writable);
    EXPECT_FALSE(w.translate(0).writable);
    EXPECT_EQ(page_count(thp), 2);
    EXPECT_EQ(kernel::atomic_read(thp->_entire_mapcount) + 1, 2);
    // The child has a deposited table of its own, counted in its nr_ptes.
    const pmdp_t child_pmd = [&] {
        pmdp_t p;
        EXPECT_TRUE(mm_find_pmd(w.child.get(), 0, &p));
        return p;
    }();
    page* deposited = nullptr;
    ASSERT_TRUE(w.run([&] { deposited = child_pmd.table->pmd_huge_pte.read(); }));
    EXPECT_NE(deposited, nullptr);
    w.check_both();
    w.store(w.child.get(), PAGE_SIZE, 66);
    const translation split = w.translate_in(w.child.get(), PAGE_SIZE);
    ASSERT_TRUE(split.mapped && !split.huge && split.writable);
    EXPECT_NE(split.pfn, parent.pfn + 1);
    const translation kept = w.translate_in(w.child.get(), 0);
    EXPECT_FALSE(kept.huge);
    EXPECT_EQ(kept.pfn, parent.pfn);  // the other subpages stay mapped, read-only
    EXPECT_FALSE(kept.writable);
    EXPECT_TRUE(w.translate(0).huge);  // the parent's pmd is untouched
    EXPECT_EQ(w.load(w.child.get(), 0), 11u);
    w.check_both();
}

TEST(fork, the_huge_zero_page_is_shared_with_a_reference_for_the_child) {
    fork_world w(VM_HUGEPAGE);
    w.memory.transparent_hugepage_use_zero_page = true;
    w.fault(w.mm.get(), 0, false);
    ASSERT_TRUE(w.translate(0).huge);
    const long users = kernel::atomic_read(w.memory.huge_zero.huge_zero_refcount);
    w.fork();
    const translation child = w.translate_in(w.child.get(), 0);
    ASSERT_TRUE(child.mapped && child.huge);
    EXPECT_EQ(child.pfn, w.translate(0).pfn);
    EXPECT_EQ(kernel::atomic_read(w.memory.huge_zero.huge_zero_refcount), users + 1);
    w.check_both();
    ASSERT_TRUE(w.run([&] { mmput(w.child.get()); }));
    EXPECT_EQ(kernel::atomic_read(w.memory.huge_zero.huge_zero_refcount), users);
}

TEST(fork, exit_of_both_mms_frees_every_page) {
    fork_world w(VM_HUGEPAGE);
    w.store(w.mm.get(), 0, 1);  // a THP
    vm_area_struct small;
    model_test::init_anon_vma(small, w.mm.get(), PMD_SIZE, 2 * PMD_SIZE, VM_READ | VM_WRITE);
    w.mm->vmas.push_back(&small);
    w.store(w.mm.get(), PMD_SIZE, 2);
    w.store(w.mm.get(), PMD_SIZE + PAGE_SIZE, 3);
    w.fork();
    w.store(w.child.get(), PMD_SIZE, 4);         // COW in the child
    w.store(w.mm.get(), PMD_SIZE + PAGE_SIZE, 5);  // COW in the parent
    w.store(w.child.get(), 0, 6);                // the child's THP split and a subpage copied
    w.check_both();
    ASSERT_TRUE(w.run([&] { mmput(w.child.get()); }));
    EXPECT_TRUE(w.run([&] {
        check_page_tables(w.mm.get());
        check_anon_accounting(w.mm.get());
    }));
    ASSERT_TRUE(w.run([&] { mmput(w.mm.get()); }));
    EXPECT_EQ(w.pages_in_use(), 0);
}

// anon_vma_fork() gives each child VMA an anon_vma of its own, whose chain also
// links the parent's: mprotect() that makes two neighbouring VMAs alike merges
// them in the parent (one shared anon_vma) but not in the child (two, and
// neither chain singular), as is_mergeable_anon_vma() decides in v6.6.
TEST(fork, a_childs_vmas_keep_their_own_anon_vmas_and_do_not_merge) {
    fork_world w;
    vm_area_struct read_only;
    model_test::init_anon_vma(read_only, w.mm.get(), PMD_SIZE, 2 * PMD_SIZE, VM_READ);
    w.mm->vmas.push_back(&read_only);
    w.store(w.mm.get(), 0, 1);
    w.fork();
    ASSERT_EQ(w.child->vmas.size(), 2u);
    EXPECT_NE(w.child->vmas[0]->anon_vma, w.child->vmas[1]->anon_vma);
    EXPECT_NE(w.child->vmas[0]->anon_vma, w.vma.anon_vma);
    for (mm_struct* target : {w.mm.get(), w.child.get()}) {
        ASSERT_TRUE(w.run([&] {
            EXPECT_EQ(do_mprotect_pkey(target, PMD_SIZE, PMD_SIZE, PROT_READ | PROT_WRITE, -1), 0);
        }));
    }
    EXPECT_EQ(w.mm->vmas.size(), 1u);     // vma_merge() case 1 or 2: one VMA again
    EXPECT_EQ(w.child->vmas.size(), 2u);  // different anon_vmas: no merge
    w.check_both();
}

TEST(fork, v6_6_write_locks_the_parents_vmas_and_v6_4_does_not) {
    fork_world fixed;
    fixed.store(fixed.mm.get(), 0, 1);
    fixed.fork();
    EXPECT_EQ(fixed.steps("down_write", "vma->vm_lock"), 1);
    EXPECT_EQ(fixed.steps("down_write_nested", "mm->mmap_lock"), 1);  // the child's, inside the parent's

    model_variants v;
    v.fork_lock = fork_vma_lock::v6_4_no_vma_lock_on_fork;
    fork_world old(0, v);
    old.store(old.mm.get(), 0, 1);
    old.fork();
    EXPECT_EQ(old.steps("down_write", "vma->vm_lock"), 0);
    old.check_both();
}

}  // namespace
