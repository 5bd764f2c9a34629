// Huge PFN maps and accessed-bit updates: mm/huge_memory.c.
#include "model/mm/huge_memory.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

// __transparent_hugepage_enabled() — include/linux/huge_mm.h v5.4, in "madvise"
// mode: VMAs with VM_HUGEPAGE (DAX VMAs count as such in the model).
bool __transparent_hugepage_enabled(const vm_area_struct* vma) { return vma->vm_flags & VM_HUGEPAGE; }

static pgprot_t vm_page_prot(const vm_area_struct* vma) {
    return (vma->vm_flags & VM_WRITE) && (vma->vm_flags & VM_SHARED) ? PAGE_SHARED : PAGE_READONLY;
}

// insert_pfn_pud() — mm/huge_memory.c v5.10: the pud_none() re-check under the lock
// (v5.4 overwrote whatever the pud held; not modeled yet). A device pfn: devmap.
static void insert_pfn_pud(vm_area_struct* vma, unsigned long addr, pudp_t pud, unsigned long pfn, pgprot_t prot,
                           bool write) {
    mm_struct* mm = vma->vm_mm;
    spinlock_t* ptl = pud_lock(mm, pud);
    const pud_t cur = deref(pud);
    if (!pud_none(cur)) {
        if (write) {
            if (pud_pfn(cur) == pfn) {
                pud_t entry = pud_mkyoung(cur);
                entry = pud_mkdirty(entry);
                if (vma->vm_flags & VM_WRITE) entry = pud_mkwrite(entry);
                if (!pud_same(cur, entry)) set_pud_at(mm, addr, pud, entry);  // pudp_set_access_flags()
            }
        }
        spin_unlock(ptl);
        return;
    }
    pud_t entry = pud_mkdevmap(pud_mkhuge(pfn_pud(pfn, prot)));
    if (write) {
        entry = pud_mkyoung(pud_mkdirty(entry));
        if (vma->vm_flags & VM_WRITE) entry = pud_mkwrite(entry);  // maybe_pud_mkwrite()
    }
    set_pud_at(mm, addr, pud, entry);
    spin_unlock(ptl);
}

// vmf_insert_pfn_pud() — mm/huge_memory.c v5.4 (PAT tracking left out).
vm_fault_t vmf_insert_pfn_pud(vm_fault* vmf, unsigned long pfn, bool write) {
    const unsigned long addr = vmf->address & PUD_MASK;
    vm_area_struct* vma = vmf->vma;
    if (addr < vma->vm_start || addr >= vma->vm_end) return VM_FAULT_SIGBUS;
    insert_pfn_pud(vma, addr, vmf->pud, pfn, vm_page_prot(vma), write);
    return VM_FAULT_NOPAGE;
}

// insert_pfn_pmd() — mm/huge_memory.c v5.4 (after c6f3c5ee40c1); x86 needs no
// deposited page table for PFN maps.
static void insert_pfn_pmd(vm_area_struct* vma, unsigned long addr, pmdp_t pmd, unsigned long pfn, pgprot_t prot,
                           bool write) {
    mm_struct* mm = vma->vm_mm;
    spinlock_t* ptl = pmd_lock(mm, pmd);
    const pmd_t cur = deref(pmd);
    if (!pmd_none(cur)) {
        if (write && pmd_pfn(cur) == pfn) {
            pmd_t entry = pmd_mkdirty(pmd_mkyoung(cur));
            if (vma->vm_flags & VM_WRITE) entry = pmd_mkwrite(entry);
            if (!pmd_same(cur, entry)) set_pmd_at(mm, addr, pmd, entry);  // pmdp_set_access_flags()
        }
        spin_unlock(ptl);
        return;
    }
    pmd_t entry = pmd_mkdevmap(pmd_mkhuge(pfn_pmd(pfn, prot)));
    if (write) {
        entry = pmd_mkyoung(pmd_mkdirty(entry));
        if (vma->vm_flags & VM_WRITE) entry = pmd_mkwrite(entry);
    }
    set_pmd_at(mm, addr, pmd, entry);
    spin_unlock(ptl);
}

// vmf_insert_pfn_pmd() — mm/huge_memory.c v5.4.
vm_fault_t vmf_insert_pfn_pmd(vm_fault* vmf, unsigned long pfn, bool write) {
    const unsigned long addr = vmf->address & PMD_MASK;
    vm_area_struct* vma = vmf->vma;
    if (addr < vma->vm_start || addr >= vma->vm_end) return VM_FAULT_SIGBUS;
    insert_pfn_pmd(vma, addr, vmf->pmd, pfn, vm_page_prot(vma), write);
    return VM_FAULT_NOPAGE;
}

// huge_pud_set_accessed() — mm/huge_memory.c v5.4.
void huge_pud_set_accessed(vm_fault* vmf, pud_t orig_pud) {
    const bool write = vmf->flags & FAULT_FLAG_WRITE;
    vmf->ptl = pud_lock(vmf->vma->vm_mm, vmf->pud);
    if (pud_same(deref(vmf->pud), orig_pud)) {
        pud_t entry = pud_mkyoung(orig_pud);
        if (write) entry = pud_mkdirty(entry);
        // pudp_set_access_flags() (x86): writes only a changed entry on a write fault.
        if (!pud_same(entry, orig_pud) && write) set_pud_at(vmf->vma->vm_mm, vmf->address & PUD_MASK, vmf->pud, entry);
    }
    spin_unlock(vmf->ptl);
}

// huge_pmd_set_accessed() — mm/huge_memory.c v5.4.
void huge_pmd_set_accessed(vm_fault* vmf) {
    const bool write = vmf->flags & FAULT_FLAG_WRITE;
    vmf->ptl = pmd_lock(vmf->vma->vm_mm, vmf->pmd);
    if (pmd_same(deref(vmf->pmd), vmf->orig_pmd)) {
        pmd_t entry = pmd_mkyoung(vmf->orig_pmd);
        if (write) entry = pmd_mkdirty(entry);
        if (!pmd_same(entry, vmf->orig_pmd) && write)
            set_pmd_at(vmf->vma->vm_mm, vmf->address & PMD_MASK, vmf->pmd, entry);
    }
    spin_unlock(vmf->ptl);
}

}  // namespace mm
MMCHECK_ENGINE_END
