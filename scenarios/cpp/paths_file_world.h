// The file-THP path scenarios' common part (paths_gup_fast.cpp,
// paths_mremap.cpp). The initial state: one mm with a shared file VMA of one
// pmd at 0 whose pmd names an empty pte table, as collapse_file() leaves it
// after replacing the small pages by a THP in the page cache and unmapping
// them, and optionally a second VMA of the same file at PMD_SIZE (mremap's
// destination, already linked by copy_vma()); built before the threads start.
// The racer both scenarios share: khugepaged's retract_page_tables() in the
// variant's form. The final check: the mm's page tables.
#pragma once

#include <memory>

#include "model/fs/address_space.h"
#include "model/mm/khugepaged_file.h"
#include "model/mm/mm_check.h"
#include "model/mm/pgtable.h"
#include "scenarios/body.h"

MMCHECK_ENGINE_BEGIN

namespace paths_world {

using namespace mm;

// A file whose ->fault has no page to give: the scenarios only look at tables.
inline const vm_operations_struct no_fault_ops{};

struct file_world {
    file_world(const model_variants& v, bool with_destination) : memory(16), variants(v) {
        mm = std::make_unique<mm_struct>(memory, variants);
        page* pud_table = alloc_pages(memory, page_use::pud_table);
        for (auto& slot : pud_table->slots)
            slot.store({0}, kernel::mo::relaxed, "clear_page", std::source_location::current());
        pgd_populate(mm.get(), pgd_offset(mm.get(), 0), pud_table);
        page* pmd_table = pmd_alloc_one(mm.get(), 0);
        pud_populate(mm.get(), pudp_t{pud_table, 0, pud_table->generation}, pmd_table);
        mm_inc_nr_pmds(mm.get());
        pmd = pmd_handle(pmd_table, 0);
        pte_table = pte_alloc_one(mm.get());
        mm_inc_nr_ptes(mm.get());
        pmd_populate(mm.get(), pmd, pte_table);
        add_vma(source, 0);
        if (with_destination) add_vma(destination, PMD_SIZE);
    }

    void add_vma(vm_area_struct& vma, unsigned long start) {
        vma.vm_start = start;
        vma.vm_end = start + PMD_SIZE;
        vma.vm_mm = mm.get();
        vma.vm_flags = VM_READ | VM_WRITE | VM_SHARED;
        vma.vm_pgoff = 0;
        vma.vm_ops = &no_fault_ops;
        mm->vmas.push_back(&vma);
        vma_interval_tree_insert(&vma, &mapping);
    }

    // khugepaged after collapse_file() of the range at pgoff 0, in the form
    // variants.retract names (v6.6, or v6.0 with or without 2ba99c5e0881).
    void retract() {
        if (variants.retract == khugepaged_retract::v6_6_pte_free_defer)
            retract_page_tables(&mapping, 0);
        else
            v6_0::retract_page_tables(&mapping, 0);
    }

    mem_map memory;
    model_variants variants;
    std::unique_ptr<mm_struct> mm;
    address_space mapping;
    vm_area_struct source, destination;
    pmdp_t pmd;
    page* pte_table = nullptr;
};

// A scenario over the file world: its threads race on world, finish() checks
// the tables left.
struct file_instance : scenario_instance {
    file_instance(const model_variants& v, bool with_destination) : world(v, with_destination) {}

    void finish() override { check_page_tables(world.mm.get()); }

    file_world world;
};

}  // namespace paths_world

MMCHECK_ENGINE_END
