// RapidCheck properties of mremap's move_vma() (model/mm/mremap.cpp), single
// threaded: whatever pages are faulted in and wherever the VMA moves (pmd-aligned,
// so move_normal_pmd() moves the whole table, or not, so move_ptes() moves each
// entry), every translation moves with the range, nothing stays mapped at the old
// range, no table is leaked or reachable twice, and every page's counts match.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <memory>

#include "model/arch/x86/fault.h"
#include "model/kernel/detail/execution.h"
#include "model/mm/mm_check.h"
#include "model/mm/mremap.h"
#include "model/mm/rmap.h"

namespace {

using namespace mmcheck;
using namespace mmcheck::mm;

struct system_under_test {
    system_under_test() : memory(48) {
        exec.reset(1, false);
        kernel::detail::current_execution() = &exec;
        mm = std::make_unique<mm_struct>(memory, variants);
        vma.vm_start = 0;
        vma.vm_end = PMD_SIZE;
        vma.vm_mm = mm.get();
        vma.vm_flags = VM_READ | VM_WRITE;  // no VM_HUGEPAGE: small pages only
        vma.anonymous = true;
        mm->vmas.push_back(&vma);
    }
    ~system_under_test() { kernel::detail::current_execution() = nullptr; }

    // copy_vma()'s vm_area_dup(): `moved` gets the old VMA's mapping (a VMA holds
    // seam locks, so it is not copied whole).
    void copy_vma_to_moved() {
        moved.vm_mm = vma.vm_mm;
        moved.vm_flags = vma.vm_flags;
        moved.anonymous = vma.anonymous;
    }

    // The pfn mapped at addr, or 0 when nothing (or the zero page) is.
    unsigned long translate(unsigned long addr) {
        const pgdp_t pgd = pgd_offset(mm.get(), addr);
        if (pgd_val(deref(pgd)) == 0) return 0;
        const pudp_t pud = pud_offset(pgd, addr);
        if (pud_none(deref(pud))) return 0;
        const pmdp_t pmd = pmd_offset(pud, addr);
        if (pmd_none(deref(pmd))) return 0;
        const pte_t pte = deref(pte_offset_map(pmd, addr));
        return pte_present(pte) ? pte_pfn(pte) : 0;
    }

    kernel::detail::execution exec;
    model_variants variants;
    mem_map memory;
    std::unique_ptr<mm_struct> mm;
    vm_area_struct vma, moved;
};

template <class F>
void in_model(system_under_test& s, F&& body) {
    try {
        body();
    } catch (const kernel::backend::execution_aborted&) {
        RC_FAIL("model violation: " + (s.exec.violation ? s.exec.violation->message : std::string("?")));
    }
}

RC_GTEST_PROP(MremapModel, MoveVmaMovesEveryTranslation, ()) {
    system_under_test s;
    const auto writes = *rc::gen::container<std::vector<bool>>(HPAGE_PMD_NR, rc::gen::arbitrary<bool>());
    const auto touched = *rc::gen::container<std::vector<bool>>(HPAGE_PMD_NR, rc::gen::arbitrary<bool>());
    // Destination pages from 2 pmds up: pmd-aligned or not, never overlapping.
    const unsigned long new_addr = (2 * HPAGE_PMD_NR + *rc::gen::inRange(0ul, 3 * HPAGE_PMD_NR)) * PAGE_SIZE;

    std::map<unsigned long, unsigned long> reference;  // page index -> pfn, learned from the model
    in_model(s, [&] {
        for (unsigned i = 0; i < HPAGE_PMD_NR; ++i)
            if (touched[i]) do_user_addr_fault(s.mm.get(), i * PAGE_SIZE, writes[i] ? FAULT_FLAG_WRITE : 0);
    });
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) reference[i] = s.translate(i * PAGE_SIZE);

    s.copy_vma_to_moved();
    s.moved.vm_start = new_addr;
    s.moved.vm_end = new_addr + PMD_SIZE;
    unsigned long result = 0;
    in_model(s, [&] {
        kernel::down_write(&s.mm->mmap_lock);
        result = move_vma(&s.vma, &s.moved, new_addr);
        kernel::up_write(&s.mm->mmap_lock);
    });
    RC_TAG(new_addr % PMD_SIZE == 0 ? "move_normal_pmd" : "move_ptes");
    RC_ASSERT(result == new_addr);
    RC_ASSERT(s.mm->vmas.size() == 1u);
    RC_ASSERT(s.mm->vmas[0] == &s.moved);
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        RC_ASSERT(s.translate(new_addr + i * PAGE_SIZE) == reference[i]);
        RC_ASSERT(s.translate(i * PAGE_SIZE) == 0ul);
    }
    in_model(s, [&] {
        check_page_tables(s.mm.get());
        check_anon_accounting(s.mm.get());
    });
}

// A fixed case that must take move_normal_pmd(): the pte table itself moves.
TEST(MremapModel, PmdAlignedMoveMovesTheTable) {
    system_under_test s;
    auto run = [&](auto&& body) {
        try {
            body();
        } catch (const kernel::backend::execution_aborted&) {
            FAIL() << s.exec.violation->message;
        }
    };
    run([&] { do_user_addr_fault(s.mm.get(), PAGE_SIZE, FAULT_FLAG_WRITE); });
    const unsigned long pfn = s.translate(PAGE_SIZE);
    ASSERT_NE(pfn, 0ul);
    const pmdp_t old_pmd = pmd_offset(pud_offset(pgd_offset(s.mm.get(), 0), 0), 0);
    const unsigned long table = pmd_pfn(deref(old_pmd));
    s.copy_vma_to_moved();
    s.moved.vm_start = 2 * PMD_SIZE;
    s.moved.vm_end = 3 * PMD_SIZE;
    run([&] {
        kernel::down_write(&s.mm->mmap_lock);
        move_vma(&s.vma, &s.moved, 2 * PMD_SIZE);
        kernel::up_write(&s.mm->mmap_lock);
    });
    EXPECT_EQ(s.translate(2 * PMD_SIZE + PAGE_SIZE), pfn);
    const pmdp_t new_pmd = pmd_offset(pud_offset(pgd_offset(s.mm.get(), 2 * PMD_SIZE), 2 * PMD_SIZE), 2 * PMD_SIZE);
    EXPECT_EQ(pmd_pfn(deref(new_pmd)), table);
    run([&] {
        check_page_tables(s.mm.get());
        check_anon_accounting(s.mm.get());
    });
}

}  // namespace
