// Builds a scenario file's initial state (scenarios/toml/world.h). Runs before the
// threads start, untraced: tables are written directly, as the C++ scenarios do;
// pre-faulted mappings go through the real fault path.
#include "model/arch/x86/fault.h"
#include "model/mm/pgtable.h"
#include "scenarios/toml/world.h"

MMCHECK_ENGINE_BEGIN

namespace toml_scenario {

namespace {

using namespace mm;

void clear(page* table) {
    for (auto& slot : table->slots) slot.store({0}, kernel::mo::relaxed, "clear_page", std::source_location::current());
}

// Every table from the pgd down to `level` for `address`, as pud_alloc(),
// pmd_alloc() and pte_alloc() would leave them; levels already present are kept.
void populate_tables(mm_struct* mm, unsigned long address, table_level level) {
    const pgdp_t pgd = pgd_offset(mm, address);
    if (pgd_val(deref(pgd)) == 0) {
        page* pud_table = alloc_pages(mm->memory, page_use::pud_table);
        clear(pud_table);
        pgd_populate(mm, pgd, pud_table);
    }
    if (level == table_level::pud) return;
    const pudp_t pud = pud_offset(pgd, address);
    if (pud_none(deref(pud))) {
        pud_populate(mm, pud, pmd_alloc_one(mm, address));
        mm_inc_nr_pmds(mm);
    }
    if (level == table_level::pmd) return;
    const pmdp_t pmd = pmd_offset(pud, address);
    if (pmd_none(deref(pmd))) {
        page* pte_table = pte_alloc_one(mm);
        mm_inc_nr_ptes(mm);
        pmd_populate(mm, pmd, pte_table);
    }
}

std::unique_ptr<devmem_device> make_device(mem_map& memory, const world_plan::device& d) {
    auto device = std::make_unique<devmem_device>();
    device->base_pfn = reserve_device_range(memory, d.pages, d.align);
    device->pud_huge = d.pud_huge;
    device->pmd_huge = d.pmd_huge;
    device->may_fall_back = d.may_fall_back;
    return device;
}

}  // namespace

world::world(const world_plan& plan, const model_variants& selected) : variants(selected), memory(plan.memory_pages) {
    mm = std::make_unique<mm_struct>(memory, variants);
    for (const auto& t : plan.table_paths) populate_tables(mm.get(), t.address, t.level);
    for (const auto& v : plan.vmas) {
        auto vma = std::make_unique<vm_area_struct>();
        vma->vm_start = v.start;
        vma->vm_end = v.end;
        vma->vm_mm = mm.get();
        vma->vm_flags = v.flags;
        vma->anonymous = v.kind == vma_kind::anon;
        for (const auto& d : v.devices) {
            devices.push_back(make_device(memory, d));
            vma->vm_ops = &devmem_vm_ops;
            vma->vm_private_data = devices.back().get();
        }
        mm->vmas.push_back(vma.get());
        vmas.push_back(std::move(vma));
    }
    for (const auto& v : plan.vmas)
        for (const auto& f : v.prefaults) do_user_addr_fault(mm.get(), f.address, f.write ? FAULT_FLAG_WRITE : 0);
}

}  // namespace toml_scenario

MMCHECK_ENGINE_END
