// S2: __handle_mm_fault() vs a huge pud faulted in by create_huge_pud().
//
// From the 2019 review of walk_page_mapping() (Thomas Hellström), fixed by
// 625110b5e9da "mm/memory.c: fix a huge pud insertion race during faulting":
// thread A sees pud_none() and tries create_huge_pud(), whose driver falls back;
// thread B's create_huge_pud() installs a huge pud under the pud lock; A's
// pmd_alloc() then returns pmd_offset() of the huge leaf and A reads user data as a
// pmd table. The fix re-checks pud_trans_unstable() after pmd_alloc() and retries.
#include "model/arch/x86/fault.h"
#include "model/drivers/devmem.h"
#include "model/mm/mm_check.h"
#include "model/mm/pgtable.h"
#include "scenarios/body.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;

// One process mapping a device at pud size: one pgd and one pud table, the device's
// memory a pud-aligned block, nothing mapped yet. Both threads fault the same
// device page.
struct s2_world : scenario_instance {
    explicit s2_world(handle_mm_fault_pud fault_pud) : memory(40) {
        variants.fault_pud = fault_pud;
        mm = std::make_unique<mm_struct>(memory, variants);
        page* pud_table = alloc_pages(memory, page_use::pud_table);
        for (auto& slot : pud_table->slots) slot.store({0}, kernel::mo::relaxed, "clear_page", std::source_location::current());
        pgd_populate(mm.get(), pgd_offset(mm.get(), 0), pud_table);
        device.base_pfn = reserve_device_range(memory, HPAGE_PUD_NR, HPAGE_PUD_NR);
        vma.vm_start = 0;
        vma.vm_end = PUD_SIZE;
        vma.vm_mm = mm.get();
        vma.vm_flags = VM_READ | VM_WRITE | VM_SHARED | VM_PFNMAP | VM_HUGEPAGE;
        vma.vm_ops = &devmem_vm_ops;
        vma.vm_private_data = &device;
        mm->vmas.push_back(&vma);
    }

    void run_thread(int) override { do_user_addr_fault(mm.get(), fault_address, 0); }

    void finish() override { check_page_tables(mm.get()); }

    static constexpr unsigned long fault_address = 3 * PAGE_SIZE;
    model_variants variants;
    mem_map memory;
    std::unique_ptr<mm_struct> mm;
    devmem_device device;
    vm_area_struct vma;
};

std::unique_ptr<scenario_instance> make(const variant_info& variant) {
    return std::make_unique<s2_world>(variant.name == "v5.4-no-recheck" ? handle_mm_fault_pud::v5_4_no_recheck
                                                                        : handle_mm_fault_pud::fixed_625110b5e9da);
}

scenario_info describe() {
    scenario_info info;
    info.name = "s2-handle-mm-fault-vs-huge-pud";
    info.summary = "__handle_mm_fault() falls back from create_huge_pud() while another fault installs a huge pud; "
                   "pmd_alloc() then returns pmd_offset() of the huge leaf";
    info.source = "review of walk_page_mapping() (T. Hellstrom, 2019); fix 625110b5e9da (v5.5)";
    info.threads = 2;
    info.variants = {
        {"v5.4-no-recheck", "__handle_mm_fault() of v5.4: no re-check of the pud after pmd_alloc()",
         violation_kind::descend_through_non_table},
        {"fixed-625110b5e9da", "v5.5: pud_trans_unstable() after pmd_alloc(), goto retry_pud", std::nullopt},
    };
    return info;
}

const scenario_registration registration{describe(), &make};

}  // namespace

MMCHECK_ENGINE_END
