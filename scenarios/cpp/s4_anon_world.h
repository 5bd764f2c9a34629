// The initial state the THP scenarios (S3, S4) share: one process, one private
// anonymous VMA of one pmd's size with VM_HUGEPAGE, its pud and pmd tables
// present, and the pmd either none, a THP (with its deposited pte table) or a
// pte table mapping small anonymous pages. Built before the threads start, so
// it writes entries directly instead of running the fault path.
#pragma once

#include <memory>

#include "model/mm/pgtable.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN

namespace s4_world {

using namespace mm;

enum class initial_pmd { none, thp, pte_table };

struct anon_world {
    anon_world(const model_variants& v, initial_pmd initial) : memory(24), variants(v) {
        mm = std::make_unique<mm_struct>(memory, variants);
        page* pud_table = alloc_pages(memory, page_use::pud_table);
        clear(pud_table);
        pgd_populate(mm.get(), pgd_offset(mm.get(), 0), pud_table);
        page* pmd_table = pmd_alloc_one(mm.get(), 0);
        pud_populate(mm.get(), pudp_t{pud_table, 0, pud_table->generation}, pmd_table);
        mm_inc_nr_pmds(mm.get());
        pmd = pmd_handle(pmd_table, 0);
        vma.vm_start = 0;
        vma.vm_end = PMD_SIZE;
        vma.vm_mm = mm.get();
        vma.vm_flags = VM_READ | VM_WRITE | VM_HUGEPAGE;
        vma.anonymous = true;
        mm->vmas.push_back(&vma);
        if (initial == initial_pmd::thp) map_thp();
        if (initial == initial_pmd::pte_table) map_small_pages();
    }

    static void clear(page* table) {
        for (auto& slot : table->slots) slot.store({0}, kernel::mo::relaxed, "clear_page", std::source_location::current());
    }

    // A THP as do_huge_pmd_anonymous_page() leaves it: deposited table, counted.
    void map_thp() {
        page* deposit = pte_alloc_one(mm.get());
        thp = vma_alloc_folio(&vma, TABLE_INDEX_BITS);
        page_add_new_anon_rmap(thp, &vma, 0);
        pmd.table->pmd_huge_pte.write(deposit);
        mm_inc_nr_ptes(mm.get());
        set_pmd_at(mm.get(), 0, pmd, pmd_mkwrite(pmd_mkdirty(pmd_mkhuge(pfn_pmd(thp->pfn, PAGE_READONLY)))));
    }

    // Small pages as do_anonymous_page() leaves them; the table is allocated
    // first, so it has the lowest free pfn and is the first page reused.
    void map_small_pages() {
        page* table = pte_alloc_one(mm.get());
        mm_inc_nr_ptes(mm.get());
        for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
            page* p = vma_alloc_folio(&vma, 0);
            page_add_new_anon_rmap(p, &vma, i * PAGE_SIZE);
            set_pte_at(mm.get(), i * PAGE_SIZE, pte_handle(table, i),
                       pte_mkwrite(pte_mkdirty(pfn_pte(p->pfn, PAGE_READONLY))));
        }
        pmd_populate(mm.get(), pmd, table);
    }

    mem_map memory;
    model_variants variants;
    std::unique_ptr<mm_struct> mm;
    vm_area_struct vma;
    pmdp_t pmd;
    page* thp = nullptr;
};

}  // namespace s4_world

MMCHECK_ENGINE_END
