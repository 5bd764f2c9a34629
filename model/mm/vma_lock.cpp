// The per-VMA lock, v6.6; see vma_lock.h.
#include "model/mm/vma_lock.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

void mmap_assert_write_locked(mm_struct* mm) {
    if (!kernel::detail::holds(&mm->mmap_lock))
        report_violation(violation_kind::lock_discipline, "mmap_assert_write_locked(): mmap_lock not held");
}

// __is_vma_write_locked() — include/linux/mm.h v6.6. mm_lock_seq changes only
// under mmap_lock for write, which the caller holds: a plain read in the kernel.
bool __is_vma_write_locked(vm_area_struct* vma, int* mm_lock_seq) {
    mmap_assert_write_locked(vma->vm_mm);
    *mm_lock_seq = plain_deref(vma->vm_mm->mm_lock_seq);
    return plain_deref(vma->vm_lock_seq) == *mm_lock_seq;
}

}  // namespace

// vma_end_write_all() — include/linux/mmap_lock.h v6.6. RELEASE: the writer's
// stores to its VMAs are visible before a reader sees them unlocked (pairs
// with the ACQUIRE in vma_start_read(); b1f02b95758d, v6.5).
void vma_end_write_all(mm_struct* mm) {
    mmap_assert_write_locked(mm);
    smp_store_release(mm->mm_lock_seq, plain_deref(mm->mm_lock_seq) + 1);
}

// mmap_write_lock() — include/linux/mmap_lock.h v6.6 (tracepoints left out).
void mmap_write_lock(mm_struct* mm) { down_write(&mm->mmap_lock); }

// mmap_write_unlock() — include/linux/mmap_lock.h v6.6.
void mmap_write_unlock(mm_struct* mm) {
    vma_end_write_all(mm);
    up_write(&mm->mmap_lock);
}

// mmap_write_downgrade() — include/linux/mmap_lock.h v6.6: readers may now
// lock the VMAs again, so what the writer detached must stay detached.
void mmap_write_downgrade(mm_struct* mm) {
    vma_end_write_all(mm);
    downgrade_write(&mm->mmap_lock);
}

// vma_start_read() — include/linux/mm.h v6.6. May fail spuriously (the caller
// falls back to mmap_lock), never succeed on a write-locked VMA: the sequence
// is checked again once the lock is held, since vma_start_write() sets it
// under the lock.
bool vma_start_read(vm_area_struct* vma) {
    // Check before locking. A race might cause false locked result.
    if (READ_ONCE(vma->vm_lock_seq) == READ_ONCE(vma->vm_mm->mm_lock_seq)) return false;
    if (!down_read_trylock(&vma->vm_lock)) return false;
    if (vma->vm_mm->variants.vma_read == vma_read_lock::no_seq_recheck) return true;
    // Overflow might produce false locked result; false unlocked result is
    // impossible. ACQUIRE pairs with vma_end_write_all()'s RELEASE.
    if (plain_deref(vma->vm_lock_seq) == smp_load_acquire(vma->vm_mm->mm_lock_seq)) {
        up_read(&vma->vm_lock);
        return false;
    }
    return true;
}

// vma_end_read() — include/linux/mm.h v6.6.
void vma_end_read(vm_area_struct* vma) {
    rcu_read_lock(); /* keeps vma alive till the end of up_read */
    up_read(&vma->vm_lock);
    rcu_read_unlock();
}

// vma_start_write() — include/linux/mm.h v6.6: mmap_lock held for write; waits
// for the VMA's readers, then marks it write-locked until mmap_write_unlock().
void vma_start_write(vm_area_struct* vma) {
    int mm_lock_seq;
    if (__is_vma_write_locked(vma, &mm_lock_seq)) return;
    down_write(&vma->vm_lock);
    // WRITE_ONCE: vma_start_read()'s first check reads it locklessly.
    WRITE_ONCE(vma->vm_lock_seq, mm_lock_seq);
    up_write(&vma->vm_lock);
}

// vma_assert_write_locked() — include/linux/mm.h v6.6.
void vma_assert_write_locked(vm_area_struct* vma) {
    int mm_lock_seq;
    VM_BUG_ON(!__is_vma_write_locked(vma, &mm_lock_seq), "VM_BUG_ON_VMA(!__is_vma_write_locked())");
}

// vma_mark_detached() — include/linux/mm.h v6.6.
void vma_mark_detached(vm_area_struct* vma, bool detached) {
    /* When detaching vma should be write-locked */
    if (detached) vma_assert_write_locked(vma);
    vma->detached.write(detached);
}

// lock_vma_under_rcu() — mm/memory.c v6.6. Left out: userfaultfd_armed() (no
// userfaultfd in the model) and the VMA_LOCK_* event counts. mas_walk() is the
// model's walk of mm->mm_mt (vma_tree.h).
vm_area_struct* lock_vma_under_rcu(mm_struct* mm, unsigned long address) {
    vm_area_struct* vma;
    rcu_read_lock();
retry:
    vma = mm->vmas.mas_walk(address);
    if (!vma) goto inval;
    if (!vma_start_read(vma)) goto inval;
    // find_mergeable_anon_vma uses adjacent vmas which are not locked. This
    // check must happen after vma_start_read() (657b5146955e, v6.5).
    if (vma_is_anonymous(vma) && !vma->anon_vma) goto inval_end_read;
    /* Check since vm_start/vm_end might change before we lock the VMA */
    if (address < vma->vm_start || address >= vma->vm_end) goto inval_end_read;
    /* Check if the VMA got isolated after we found it */
    if (mm->variants.vma_read != vma_read_lock::no_detached_check && vma->detached.read()) {
        vma_end_read(vma);
        /* The area was replaced with another one */
        goto retry;
    }
    rcu_read_unlock();
    return vma;

inval_end_read:
    vma_end_read(vma);
inval:
    rcu_read_unlock();
    return nullptr;
}

}  // namespace mm
MMCHECK_ENGINE_END
