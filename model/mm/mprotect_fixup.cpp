// The mprotect() syscall: mm/mprotect.c v6.6 do_mprotect_pkey() and
// mprotect_fixup(), over the change_protection() walk of mprotect.cpp.
//
// Left out, stated once here: protection keys (pkey is -1; the model has no
// PKRU), PROT_GROWSDOWN/PROT_GROWSUP (no stack VMAs), READ_IMPLIES_EXEC, the
// VM_MAY* ceiling check (the model's VMAs carry no VM_MAY* bits: mmap() is not
// modeled, so newflags is not checked against them), security hooks,
// vm_ops->mprotect (no modeled driver has one), the PROT_NONE pfn check of
// PFN maps (x86's L1TF pfn_modify_allowed()), VM_ACCOUNT commit charging,
// mlock population and the vm_stat counters. vm_page_prot is computed from
// vm_flags where it is read (mprotect.h vma_page_prot()), so
// vma_set_page_prot() has nothing to store.
#include <algorithm>
#include <cerrno>

#include "model/mm/mmap.h"
#include "model/mm/mprotect.h"
#include "model/mm/vma_lock.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// calc_vm_prot_bits() — include/linux/mman.h v6.6 (no arch or pkey bits).
unsigned long calc_vm_prot_bits(unsigned long prot) {
    return ((prot & PROT_READ) ? VM_READ : 0) | ((prot & PROT_WRITE) ? VM_WRITE : 0) |
           ((prot & PROT_EXEC) ? VM_EXEC : 0);
}

// vm_flags_reset() — include/linux/mm.h v6.6: vm_flags change only with the
// VMA write-locked, so no fault under the per-VMA lock sees them change.
void vm_flags_reset(vm_area_struct* vma, unsigned long flags) {
    vma_assert_write_locked(vma);
    vma->vm_flags = flags;  // vm_flags_init()
}

// vma_prev() of the VMA iterator: the VMA before vma in the tree.
vm_area_struct* vma_prev_of(mm_struct* mm, const vm_area_struct* vma) {
    const auto at = std::find(mm->vmas.begin(), mm->vmas.end(), vma);
    return at == mm->vmas.begin() ? nullptr : *(at - 1);
}

}  // namespace

// A shared writable anonymous mapping has no writenotify
// (vma_wants_writenotify(): no vm_ops, no file to write back, no soft-dirty).
bool vma_wants_manual_pte_write_upgrade(const vm_area_struct* vma) {
    if (vma->vm_flags & VM_SHARED) return false;  // vma_wants_writenotify(vma, vma->vm_page_prot)
    return vma->vm_flags & VM_WRITE;
}

int mprotect_fixup(vm_area_struct* vma, vm_area_struct** pprev, unsigned long start, unsigned long end,
                   unsigned long newflags) {
    mm_struct* mm = vma->vm_mm;
    const unsigned long oldflags = vma->vm_flags;
    unsigned long mm_cp_flags = 0;
    int error = 0;

    if (newflags == oldflags) {
        *pprev = vma;
        return 0;
    }

    /* First try to merge with previous and/or next vma. */
    const unsigned long pgoff = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
    *pprev = vma_merge(mm, *pprev, start, end, newflags, vma->anon_vma, vma->vm_mapping, pgoff);
    if (*pprev) {
        vma = *pprev;
        VM_BUG_ON(vma->vm_flags != newflags, "VM_WARN_ON((vma->vm_flags ^ newflags) & ~VM_SOFTDIRTY)");
        goto success;
    }

    *pprev = vma;

    if (start != vma->vm_start) {
        error = split_vma(vma, start, true);
        if (error) return error;
    }
    if (end != vma->vm_end) {
        error = split_vma(vma, end, false);
        if (error) return error;
    }

success:
    // vm_flags and vm_page_prot are protected by the mmap_lock held in write
    // mode.
    vma_start_write(vma);
    vm_flags_reset(vma, newflags);
    if (vma_wants_manual_pte_write_upgrade(vma)) mm_cp_flags |= MM_CP_TRY_CHANGE_WRITABLE;
    // vma_set_page_prot(vma): computed from vm_flags where read (file comment).
    change_protection(vma, start, end, mm_cp_flags);
    return 0;
}

int do_mprotect_pkey(mm_struct* mm, unsigned long start, std::size_t len, unsigned long prot, int pkey) {
    VM_BUG_ON(pkey != -1, "do_mprotect_pkey(): protection keys are not modeled");
    if (start & ~PAGE_MASK) return -EINVAL;
    if (!len) return 0;
    len = (len + PAGE_SIZE - 1) & PAGE_MASK;  // PAGE_ALIGN()
    const unsigned long end = start + len;
    if (end <= start) return -ENOMEM;

    mmap_write_lock(mm);  // mmap_write_lock_killable(): no signals in the model

    int error = -ENOMEM;
    vm_area_struct* vma = find_vma(mm, start);  // vma_find(&vmi, end)
    if (!vma || vma->vm_start >= end || vma->vm_start > start) {
        mmap_write_unlock(mm);
        return error;
    }
    vm_area_struct* prev = vma_prev_of(mm, vma);
    if (start > vma->vm_start) prev = vma;

    unsigned long nstart = start;
    unsigned long tmp = vma->vm_start;
    error = 0;
    // for_each_vma_range(vmi, vma, end): the iterator resumes after the range
    // the last mprotect_fixup() left it at (vma_iter_end()).
    for (; vma && vma->vm_start < end; vma = find_vma(mm, tmp)) {
        if (vma->vm_start != tmp) {
            error = -ENOMEM;
            break;
        }
        // Each mprotect() call explicitly passes r/w/x permissions. If a
        // permission is not passed to mprotect(), it must be cleared from
        // the VMA.
        const unsigned long newflags = calc_vm_prot_bits(prot) | (vma->vm_flags & ~VM_ACCESS_FLAGS);
        tmp = std::min(vma->vm_end, end);
        error = mprotect_fixup(vma, &prev, nstart, tmp, newflags);
        if (error) break;
        tmp = prev->vm_end;  // vma_iter_end(&vmi)
        nstart = tmp;
    }
    if (!error && tmp < end) error = -ENOMEM;

    mmap_write_unlock(mm);
    return error;
}

}  // namespace mm
MMCHECK_ENGINE_END
