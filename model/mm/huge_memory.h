// Transparent huge pages and huge PFN maps (mm/huge_memory.c).
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

bool __transparent_hugepage_enabled(const vm_area_struct* vma);
vm_fault_t vmf_insert_pfn_pud(vm_fault* vmf, unsigned long pfn, bool write);
vm_fault_t vmf_insert_pfn_pmd(vm_fault* vmf, unsigned long pfn, bool write);
void huge_pud_set_accessed(vm_fault* vmf, pud_t orig_pud);
void huge_pmd_set_accessed(vm_fault* vmf);
// vma_is_special_huge() — include/linux/huge_mm.h v6.6: huge entries with no
// struct page to unmap. The kernel's test is a vm_file with VM_PFNMAP or
// VM_MIXEDMAP (or DAX); the model's driver VMAs (model/drivers/devmem.h) have no
// file and need not carry the flags, so any VMA that is neither anonymous nor
// backed by a page-cache mapping counts too.
inline bool vma_is_special_huge(const vm_area_struct* vma) {
    return (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) || (!vma_is_anonymous(vma) && vma->vm_mapping == nullptr);
}

// The huge zero page (huge_memory_zero.cpp, v6.6): mm_get_huge_zero_page()
// returns it (allocated on first use) with a reference for the mm, nullptr
// if it cannot be allocated.
page* mm_get_huge_zero_page(mm_struct* mm);
void mm_put_huge_zero_page(mm_struct* mm);
bool is_huge_zero_page(mm_struct* mm, const page* p);
bool is_huge_zero_pmd(mm_struct* mm, pmd_t pmd);
// transparent_hugepage_use_zero_page() — include/linux/huge_mm.h v6.6 (page.h).
inline bool transparent_hugepage_use_zero_page(const mm_struct* mm) {
    return mm->memory.transparent_hugepage_use_zero_page;
}

// Anonymous THP (huge_memory_anon.cpp, huge_memory_split.cpp). The mmu_gather
// argument of zap_huge_pmd() is left out: pages are released at once.
vm_fault_t do_huge_pmd_anonymous_page(vm_fault* vmf);
// do_huge_pmd_wp_page() — a write fault on a read-only anonymous huge pmd
// (vmf->orig_pmd): reuse it, or split it and fall back to the pte level.
vm_fault_t do_huge_pmd_wp_page(vm_fault* vmf);
// PMD migration entries (huge_memory_migrate.cpp, v6.6,
// CONFIG_ARCH_ENABLE_THP_MIGRATION): pvmw names a pmd mapping (pte null) of
// the folio, its pmd lock held. 0, or -EBUSY if the page stays exclusive.
int set_pmd_migration_entry(struct page_vma_mapped_walk* pvmw, page* page);
void remove_migration_pmd(struct page_vma_mapped_walk* pvmw, page* newpage);
int zap_huge_pmd(vm_area_struct* vma, pmdp_t pmd, unsigned long addr);
// can_change_pmd_writable() — mm/huge_memory.c v6.6: may mprotect() or the
// NUMA hinting fault make a huge pmd writable without a write fault?
bool can_change_pmd_writable(vm_area_struct* vma, unsigned long addr, pmd_t pmd);
// do_huge_pmd_numa_page() — a fault on a huge pmd NUMA hinting made
// PROT_NONE (vmf->orig_pmd): make it accessible again (huge_memory_numa.cpp).
vm_fault_t do_huge_pmd_numa_page(vm_fault* vmf);
kernel::spinlock_t* __pmd_trans_huge_lock(pmdp_t pmd, vm_area_struct* vma);
kernel::spinlock_t* pmd_trans_huge_lock(pmdp_t pmd, vm_area_struct* vma);
// freeze: install migration entries instead of ptes (split_huge_page()'s
// unmap_folio()); folio: split only a pmd mapping that folio (required with freeze).
void __split_huge_pmd(vm_area_struct* vma, pmdp_t pmd, unsigned long address, bool freeze, page* folio);
void split_huge_pmd(vm_area_struct* vma, pmdp_t pmd, unsigned long address);
// The caller holds mmap_lock (or the rmap lock), as for every split.
void split_huge_pmd_address(vm_area_struct* vma, unsigned long address, bool freeze, page* folio);
// Splitting an anonymous THP folio into order-0 pages (huge_memory_folio_split.cpp,
// v6.6). The caller holds the page lock of `page` and a reference. The model has
// no anon_vma: (vma, address) is where the folio is mapped, its first page at
// address (see migrate.h). 0 on success, -EAGAIN (pinned) with the folio intact.
bool can_split_folio(page* folio, int* pextra_pins);
int split_huge_page_to_list(page* page, vm_area_struct* vma, unsigned long address);
// split_huge_page(), split_folio() — include/linux/huge_mm.h v6.6.
inline int split_huge_page(page* page, vm_area_struct* vma, unsigned long address) {
    return split_huge_page_to_list(page, vma, address);
}
inline int split_folio(page* folio, vm_area_struct* vma, unsigned long address) {
    return split_huge_page_to_list(folio, vma, address);
}
// vma_adjust_trans_huge() — mm/huge_memory.c v6.6: before a VMA's range
// changes to [start, end), split huge pmds the new boundaries cut through.
void vma_adjust_trans_huge(vm_area_struct* vma, unsigned long start, unsigned long end, long adjust_next);
int change_huge_pmd(vm_area_struct* vma, pmdp_t pmd, unsigned long addr, pgprot_t newprot, unsigned long cp_flags);
inline constexpr unsigned long MM_CP_PROT_NUMA = 1ul << 1;

// Huge puds (huge_memory_pud.cpp, v5.4): DAX/PFN maps only, so splitting a huge pud
// unmaps it and zapping releases nothing. The mmu_gather argument of
// zap_huge_pud() is left out (no page to batch).
kernel::spinlock_t* __pud_trans_huge_lock(pudp_t pud, vm_area_struct* vma);
kernel::spinlock_t* pud_trans_huge_lock(pudp_t pud, vm_area_struct* vma);
void __split_huge_pud(vm_area_struct* vma, pudp_t pud, unsigned long address);
void split_huge_pud(vm_area_struct* vma, pudp_t pud, unsigned long address);
int zap_huge_pud(vm_area_struct* vma, pudp_t pud, unsigned long addr);

}  // namespace mm
MMCHECK_ENGINE_END
