#include "model/drivers/devmem.h"

#include "model/mm/huge_memory.h"
#include "model/mm/memory.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

namespace {

unsigned long devmem_pfn(const vm_fault* vmf, const devmem_device* dev) {
    return dev->base_pfn + ((vmf->address - vmf->vma->vm_start) >> PAGE_SHIFT) + vmf->vma->vm_pgoff;
}

// The driver's ->huge_fault (cf. ttm_bo_vm_huge_fault, v5.9).
vm_fault_t devmem_huge_fault(vm_fault* vmf, page_entry_size pe_size) {
    const auto* dev = static_cast<const devmem_device*>(vmf->vma->vm_private_data);
    const bool write = vmf->flags & FAULT_FLAG_WRITE;
    if (pe_size == page_entry_size::PE_SIZE_PUD && !dev->pud_huge) return VM_FAULT_FALLBACK;
    if (pe_size == page_entry_size::PE_SIZE_PMD && !dev->pmd_huge) return VM_FAULT_FALLBACK;
    if (dev->may_fall_back && kernel::nondet_bool("devmem falls back (1) or maps huge (0)")) return VM_FAULT_FALLBACK;
    if (pe_size == page_entry_size::PE_SIZE_PUD)
        return vmf_insert_pfn_pud(vmf, devmem_pfn(vmf, dev) & ~(HPAGE_PUD_NR - 1), write);
    return vmf_insert_pfn_pmd(vmf, devmem_pfn(vmf, dev) & ~(HPAGE_PMD_NR - 1), write);
}

// The driver's ->fault: one pfn at pte size.
vm_fault_t devmem_fault(vm_fault* vmf) {
    const auto* dev = static_cast<const devmem_device*>(vmf->vma->vm_private_data);
    return vmf_insert_pfn(vmf->vma, vmf->address, devmem_pfn(vmf, dev));
}

}  // namespace

const vm_operations_struct devmem_vm_ops{&devmem_fault, &devmem_huge_fault};

}  // namespace mm
MMCHECK_ENGINE_END
