// The single-threaded model world the model tests share: one mm on its own
// execution of the native seam (set up the way the engines set one up), a
// reading of its page tables the way the CPU walks them, and a way to run model
// code that turns a reported violation into a test failure.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "model/kernel/detail/execution.h"
#include "model/mm/pgtable.h"
#include "model/mm/swapops.h"

namespace model_test {

using namespace mmcheck;
using namespace mmcheck::mm;

// What the CPU page tables say about one virtual page.
struct translation {
    bool mapped = false;
    unsigned long pfn = 0;
    bool writable = false;
    bool huge = false;
    bool migration_entry = false;  // a pte migration entry; pfn is its page
    bool protnone = false;         // NUMA hinting's PROT_NONE (mapped, not to the MMU)
};

struct model_world {
    // nr_pages of physical memory; `traced` records every seam step in exec.trace.
    explicit model_world(unsigned long nr_pages, model_variants v = {}, bool traced = false)
        : variants(v), memory(nr_pages) {
        exec.reset(1, traced);
        kernel::detail::current_execution() = &exec;
        mm = std::make_unique<mm_struct>(memory, variants);
    }
    ~model_world() { kernel::detail::current_execution() = nullptr; }
    model_world(const model_world&) = delete;
    model_world& operator=(const model_world&) = delete;

    // The pmd slot for addr, if the pgd and pud entries lead to a pmd table.
    pmdp_t pmd_of(unsigned long addr) {
        const pgdp_t pgd = pgd_offset(mm.get(), addr);
        if (pgd_val(deref(pgd)) == 0) return {};
        const pudp_t pud = pud_offset(pgd, addr);
        if (pud_none(deref(pud))) return {};
        return pmd_offset(pud, addr);
    }

    // The pte for addr, or none when no pte table maps it.
    pte_t pte_at(unsigned long addr) {
        const pmdp_t pmd = pmd_of(addr);
        if (!pmd.table || pmd_none(deref(pmd)) || pmd_trans_huge(deref(pmd))) return {};
        return deref(pte_offset_map(pmd, addr));
    }

    translation translate(unsigned long addr) {
        const pmdp_t pmd = pmd_of(addr);
        if (!pmd.table) return {};
        const pmd_t pmdv = deref(pmd);
        if (pmd_none(pmdv)) return {};
        if (pmd_trans_huge(pmdv))
            return {true, pmd_pfn(pmdv) + pte_index(addr), pmd_write(pmdv), true, false, pmd_protnone(pmdv)};
        const pte_t pte = deref(pte_offset_map(pmd, addr));
        if (is_swap_pte(pte)) return {false, swp_offset(pte_to_swp_entry(pte)), false, false, true};
        if (!pte_present(pte)) return {};
        return {true, pte_pfn(pte), pte_write(pte), false, false, pte_protnone(pte)};
    }

    page* page_at(unsigned long pfn) { return pfn_to_page(memory, pfn); }

    // Runs model code; returns the message of the violation it reported, or "".
    std::string violation_of(const std::function<void()>& body) {
        try {
            body();
        } catch (const kernel::backend::execution_aborted&) {
            return exec.violation ? exec.violation->message : std::string("?");
        }
        return {};
    }

    // Runs model code; a violation it reports fails the test with its message.
    bool run(const std::function<void()>& body) {
        const std::string found = violation_of(body);
        if (!found.empty()) ADD_FAILURE() << "model violation: " << found;
        return found.empty();
    }

    kernel::detail::execution exec;
    model_variants variants;
    mem_map memory;
    std::unique_ptr<mm_struct> mm;
};

// A private anonymous VMA of mm over [start, end), its pgoff the page index of
// its start as mmap() gives an anonymous mapping; not yet linked into mm.
inline void init_anon_vma(vm_area_struct& vma, mm_struct* mm, unsigned long start, unsigned long end,
                          unsigned long flags) {
    vma.vm_start = start;
    vma.vm_end = end;
    vma.vm_mm = mm;
    vma.vm_pgoff = start >> PAGE_SHIFT;
    vma.vm_flags = flags;
    vma.anonymous = true;
}

}  // namespace model_test
