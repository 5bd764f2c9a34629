// The per-VMA lock (CONFIG_PER_VMA_LOCK; include/linux/mm.h, include/linux/mmap_lock.h
// and mm/memory.c, v6.6): a page fault locks one VMA for read instead of taking
// mmap_lock, and every writer that changes a VMA or tears down its page tables
// under mmap_lock for write first write-locks it with vma_start_write().
//
// A VMA is write-locked while its vm_lock_seq equals mm->mm_lock_seq; the lock
// itself is held for write only for the moment vma_start_write() sets the
// sequence, so a reader that holds it for read keeps writers out, and
// mmap_write_unlock() unlocks every write-locked VMA at once by bumping
// mm->mm_lock_seq (vma_end_write_all()).
//
// Simplification: VMAs belong to the scenario and are never freed (mmap.cpp), so
// vm_area_free()'s call_rcu() is left out and the RCU read side around the walk
// and vma_end_read() protects nothing the engines could see freed; it is kept
// for its scheduling points and lock balance. What keeps a fault out of a VMA
// munmap() removed is the lock, the sequence and the detached flag, all seam
// objects.
#pragma once

#include "model/mm/mm_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// include/linux/mmap_lock.h v6.6: the write side ends the mm's lock sequence.
void mmap_write_lock(mm_struct* mm);
void mmap_write_unlock(mm_struct* mm);
void mmap_write_downgrade(mm_struct* mm);
void vma_end_write_all(mm_struct* mm);

// include/linux/mm.h v6.6.
bool vma_start_read(vm_area_struct* vma);
void vma_end_read(vm_area_struct* vma);
void vma_start_write(vm_area_struct* vma);
void vma_assert_write_locked(vm_area_struct* vma);
void vma_mark_detached(vm_area_struct* vma, bool detached);

// mm/memory.c v6.6: the VMA at `address`, read-locked, or nullptr (take mmap_lock).
vm_area_struct* lock_vma_under_rcu(mm_struct* mm, unsigned long address);

}  // namespace mm
MMCHECK_ENGINE_END
