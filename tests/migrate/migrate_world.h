// The single-threaded world the migrate_vma tests share: one mm with one
// private anonymous VMA of two pmds, on its own execution of the native seam,
// and a driver that runs migrate_vma rounds the way a device driver does.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/kernel/detail/execution.h"
#include "model/mm/migrate_device.h"
#include "model/mm/pagemap.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"

namespace migrate_test {

using namespace mmcheck;
using namespace mmcheck::mm;

constexpr unsigned nr_pmds = 2;
constexpr unsigned nr_vpages = nr_pmds * HPAGE_PMD_NR;

// What the CPU page tables say about one virtual page.
struct translation {
    bool mapped = false;
    unsigned long pfn = 0;
    bool writable = false;
    bool huge = false;
    bool migration_entry = false;
};

struct migrate_world {
    explicit migrate_world(bool hugepage, model_variants v = {}) : variants(v), memory(64) {
        exec.reset(1, false);
        kernel::detail::current_execution() = &exec;
        mm = std::make_unique<mm_struct>(memory, variants);
        vma.vm_start = 0;
        vma.vm_end = nr_pmds * PMD_SIZE;
        vma.vm_mm = mm.get();
        vma.vm_flags = VM_READ | VM_WRITE | (hugepage ? VM_HUGEPAGE : 0);
        vma.anonymous = true;
        mm->vmas.push_back(&vma);
    }
    ~migrate_world() { kernel::detail::current_execution() = nullptr; }

    pmdp_t pmd_of(unsigned long addr) {
        const pgdp_t pgd = pgd_offset(mm.get(), addr);
        if (pgd_val(deref(pgd)) == 0) return {};
        const pudp_t pud = pud_offset(pgd, addr);
        if (pud_none(deref(pud))) return {};
        return pmd_offset(pud, addr);
    }

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
        if (pmd_trans_huge(pmdv)) return {true, pmd_pfn(pmdv) + pte_index(addr), pmd_write(pmdv), true, false};
        const pte_t pte = deref(pte_offset_map(pmd, addr));
        if (is_swap_pte(pte)) return {false, swp_offset(pte_to_swp_entry(pte)), false, false, true};
        if (!pte_present(pte)) return {};
        return {true, pte_pfn(pte), pte_write(pte), false, false};
    }

    page* page_at(unsigned long pfn) { return pfn_to_page(memory, pfn); }

    // The pfns whose page lock the test thread still holds.
    std::vector<unsigned long> locked_pages() {
        std::vector<unsigned long> held;
        for (auto& p : memory.pages)
            if (kernel::detail::holds(&p->PG_locked)) held.push_back(p->pfn);
        return held;
    }

    kernel::detail::execution exec;
    model_variants variants;
    mem_map memory;
    std::unique_ptr<mm_struct> mm;
    vm_area_struct vma;
};

// A driver's migrate_vma round over [start, end): setup, then (unless
// give_dst is false) a locked destination for every MIGRATE entry, pages and
// finalize. Returns src[] as migrate_vma_pages() left it.
struct migrate_round {
    migrate_round(migrate_world& w, unsigned long start, unsigned long end)
        : world(w), src((end - start) / PAGE_SIZE), dst((end - start) / PAGE_SIZE) {
        args.vma = &w.vma;
        args.src = &src;
        args.dst = &dst;
        args.start = start;
        args.end = end;
    }

    int setup() {
        kernel::down_read(&world.mm->mmap_lock);
        const int ret = migrate_vma_setup(&args);
        kernel::up_read(&world.mm->mmap_lock);
        return ret;
    }

    void give_destinations() {
        for (unsigned long i = 0; i < args.npages; ++i) {
            if (!(src[i] & MIGRATE_PFN_MIGRATE)) continue;
            page* newpage = vma_alloc_folio(&world.vma, 0);
            lock_page(newpage);
            dst[i] = migrate_pfn(page_to_pfn(newpage));
        }
    }

    void pages_and_finalize() {
        kernel::down_read(&world.mm->mmap_lock);
        migrate_vma_pages(&args);
        migrate_vma_finalize(&args);
        kernel::up_read(&world.mm->mmap_lock);
    }

    void run() {
        if (setup() != 0) return;
        give_destinations();
        pages_and_finalize();
    }

    migrate_world& world;
    migrate_pfn_array src, dst;
    migrate_vma args;
};

// Runs model code; returns the violation message it reported, or "".
template <class F>
std::string violation_of(migrate_world& w, F&& body) {
    try {
        body();
    } catch (const kernel::backend::execution_aborted&) {
        return w.exec.violation ? w.exec.violation->message : std::string("?");
    }
    return {};
}

}  // namespace migrate_test
