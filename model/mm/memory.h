// Fault handling and page-table allocation (mm/memory.c).
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

vm_fault_t handle_mm_fault(vm_area_struct* vma, unsigned long address, unsigned flags);

pudp_t pud_alloc(mm_struct* mm, pgdp_t pgd, unsigned long address);
pmdp_t pmd_alloc(mm_struct* mm, pudp_t pud, unsigned long address, bool* oom);
bool pte_alloc(mm_struct* mm, pmdp_t pmd);  // true on failure, as the kernel's
ptep_t pte_alloc_map_lock(mm_struct* mm, pmdp_t pmd, unsigned long address, kernel::spinlock_t** ptlp, bool* oom);

void pmd_install(mm_struct* mm, pmdp_t pmd, page** pte);
bool pud_trans_unstable(pudp_t pud);
bool pmd_trans_unstable(pmdp_t pmd);
bool pmd_devmap_trans_unstable(pmdp_t pmd);

vm_fault_t vmf_insert_pfn(vm_area_struct* vma, unsigned long addr, unsigned long pfn);

// Anonymous faults (memory_anon.cpp) and COW (memory_cow.cpp). do_wp_page()
// is entered with vmf->pte mapped (in the fault path's form, see
// vmf_pte_unmap_unlock()) and vmf->ptl held, as in the kernel.
vm_fault_t do_anonymous_page(vm_fault* vmf);
vm_fault_t do_wp_page(vm_fault* vmf);
// pte_unmap_unlock() / pte_unmap() of the pte table handle_pte_fault() mapped,
// in the form of the fault path's version (variants.h handle_pte_fault_form):
// the 6.5+ forms leave the RCU read-side section the map entered.
void vmf_pte_unmap_unlock(vm_fault* vmf);
void vmf_pte_unmap(vm_fault* vmf);

// Teardown (memory_zap.cpp, mmap.cpp; v5.4). A minimal mmu_gather
// (include/asm-generic/tlb.h): the range to flush and the pages to release after
// the flush; the model has no TLB, so the flush only orders the release.
struct mmu_gather {
    mm_struct* mm = nullptr;
    bool fullmm = false;
    unsigned long start = 0, end = 0;  // range to flush, empty when start >= end
    std::vector<page*> pages;          // released by tlb_flush_mmu()
    std::vector<page*> tables;         // page tables, freed by tlb_flush_mmu() too
};
void tlb_gather_mmu(mmu_gather* tlb, mm_struct* mm, unsigned long start, unsigned long end);
void tlb_flush_mmu(mmu_gather* tlb);
void tlb_finish_mmu(mmu_gather* tlb, unsigned long start, unsigned long end);
void zap_page_range(vm_area_struct* vma, unsigned long start, unsigned long size);
// unmap_vmas() and free_pgtables() take the kernel's vm_next chain as a list.
void unmap_vmas(mmu_gather* tlb, const std::vector<vm_area_struct*>& vmas, unsigned long start_addr,
                unsigned long end_addr);
void free_pgtables(mmu_gather* tlb, const std::vector<vm_area_struct*>& vmas, unsigned long floor,
                   unsigned long ceiling);
int do_munmap(mm_struct* mm, unsigned long start, unsigned long len);  // mmap_lock held for write
int vm_munmap(mm_struct* mm, unsigned long start, unsigned long len);  // the munmap() syscall
void exit_mmap(mm_struct* mm);
void unlink_file_vma(vm_area_struct* vma);  // mm/mmap.c: takes i_mmap_rwsem for write

// Dirty tracking of shared file mappings over walk_page_mapping()
// (model/drivers/dirty_tracker.cpp, after the 2019 as_dirty_helpers.c, merged
// as mm/mapping_dirty_helpers.c): write-protect a pgoff range in every mm that
// maps it, and clean and record its dirty entries in a bitmap of pgoffs.
unsigned long wp_shared_mapping_range(struct address_space* mapping, unsigned long first_index, unsigned long nr);
unsigned long clean_record_shared_mapping_range(struct address_space* mapping, unsigned long first_index,
                                                unsigned long nr, unsigned long bitmap_pgoff, unsigned long* bitmap,
                                                unsigned long* start, unsigned long* end);

}  // namespace mm
MMCHECK_ENGINE_END
