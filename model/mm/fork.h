// fork()'s copy of an address space: kernel/fork.c dup_mm()/dup_mmap(),
// mm/memory.c copy_page_range() and its levels, mm/huge_memory.c
// copy_huge_pmd(), v6.6 (fork.cpp); and the child's end, __mmput().
#pragma once

#include <memory>

#include "model/mm/mm_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// dup_mm() — kernel/fork.c v6.6: a new mm (mm_alloc(), pgd_alloc()) with a
// copy of oldmm's VMAs and page tables; nullptr on -ENOMEM. The child mm
// shares oldmm's mem_map and variants; its VMAs are its own (vm_area_cachep).
std::unique_ptr<mm_struct> dup_mm(mm_struct* oldmm);
int dup_mmap(mm_struct* mm, mm_struct* oldmm);
int copy_page_range(vm_area_struct* dst_vma, vm_area_struct* src_vma);
// copy_huge_pmd() — mm/huge_memory.c v6.6: 0, -ENOMEM, or -EAGAIN (copy the
// range at the pte level: the pmd was not huge any more, or was split).
int copy_huge_pmd(mm_struct* dst_mm, mm_struct* src_mm, pmdp_t dst_pmd, pmdp_t src_pmd, unsigned long addr,
                  vm_area_struct* dst_vma, vm_area_struct* src_vma);

// mmget(), mmget_not_zero() — include/linux/sched/mm.h v6.6: one more user of
// mm's address space; the second only if it still has one (a driver's
// reference to an mm that may be exiting).
void mmget(mm_struct* mm);
bool mmget_not_zero(mm_struct* mm);
// mmput() — kernel/fork.c v6.6: drop a user; the last one runs __mmput():
// exit_mmap() and mm_put_huge_zero_page() (aio, KSM, khugepaged and uprobes
// left out: khugepaged_exit() waits for a scan holding mmap_lock, which the
// model's khugepaged has none of, and exit_mmap()'s own mmap_lock excludes a
// collapse in progress). The pgd stays, as exit_mmap() leaves it (mmap.cpp).
void mmput(mm_struct* mm);

}  // namespace mm
MMCHECK_ENGINE_END
