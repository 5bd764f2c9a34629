// Changing the protection of a range: mm/mprotect.c's change_protection() walk
// (mprotect.cpp), the mprotect() syscall over it (mprotect_fixup.cpp), and its
// NUMA-hinting caller change_prot_numa() (mm/mempolicy.c), v6.6.
#pragma once

#include <cstddef>

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// include/uapi/asm-generic/mman-common.h. <sys/mman.h> has the same values
// as macros, but also MADV_* macros that would clash with ksm.h's constants,
// so it is not included; where a file includes it anyway, its macros stand.
#ifndef PROT_READ
inline constexpr unsigned long PROT_NONE = 0x0;
inline constexpr unsigned long PROT_READ = 0x1;
inline constexpr unsigned long PROT_WRITE = 0x2;
inline constexpr unsigned long PROT_EXEC = 0x4;
#endif

// include/linux/mm.h v6.6 (MM_CP_PROT_NUMA is in huge_memory.h).
inline constexpr unsigned long MM_CP_TRY_CHANGE_WRITABLE = 1ul << 0;

// change_protection() — mm/mprotect.c v6.6, without the mmu_gather.
long change_protection(vm_area_struct* vma, unsigned long start, unsigned long end, unsigned long cp_flags);
// change_prot_numa() — mm/mempolicy.c v6.6: make [addr, end) PROT_NONE so that
// the next access takes a NUMA hinting fault. task_numa_work() calls it under
// mmap_lock for read; so must the caller.
long change_prot_numa(vm_area_struct* vma, unsigned long addr, unsigned long end);

// vma->vm_page_prot as vma_set_page_prot() (mm/mmap.c v6.6) sets it from the
// VMA's flags (vm_get_page_prot(), x86's protection_map[]): the model has no
// vm_page_prot field, so it is computed where it is read. Private mappings
// are PAGE_COPY (read-only; a write fault makes them writable), shared
// writable ones PAGE_SHARED, no access PAGE_NONE.
pgprot_t vma_page_prot(const vm_area_struct* vma);

// vma_wants_manual_pte_write_upgrade() — include/linux/mm.h v6.6: should
// mprotect() and the NUMA hinting fault make exclusive ptes writable
// themselves (MM_CP_TRY_CHANGE_WRITABLE) rather than leave it to a write fault?
bool vma_wants_manual_pte_write_upgrade(const vm_area_struct* vma);

// can_change_pte_writable() — mm/mprotect.c v6.6: may mprotect() make a pte
// writable without the write fault? Soft-dirty and uffd-wp are not modeled.
bool can_change_pte_writable(vm_area_struct* vma, unsigned long addr, pte_t pte);

// mprotect_fixup() — mm/mprotect.c v6.6: give [start, end) of vma the flags
// newflags, merging with *pprev or the next VMA, else splitting vma; *pprev is
// the VMA that now covers the range. Caller holds mmap_lock for write.
int mprotect_fixup(vm_area_struct* vma, vm_area_struct** pprev, unsigned long start, unsigned long end,
                   unsigned long newflags);
// do_mprotect_pkey() — mm/mprotect.c v6.6: the mprotect() syscall on `mm`
// (current->mm) with pkey -1; 0 or a negative errno.
int do_mprotect_pkey(mm_struct* mm, unsigned long start, std::size_t len, unsigned long prot, int pkey);

}  // namespace mm
MMCHECK_ENGINE_END
