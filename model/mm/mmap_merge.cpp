// vma_merge() and the checks that decide it — mm/mmap.c v6.6 (read at a
// stored v6.7-rc mm/mmap.c, whose vma_merge() body is v6.6's but for taking
// the current VMA as an argument; the v6.6 argument list is kept here).
//
// Simplifications, stated once here. The model has no anon_vma objects
// (mm_types.h): vma->anon_vma is an identity, one for every VMA a process
// maps itself (as the pieces of one split VMA share one) and one per VMA of a
// forked child, whose chain also links the parent's (anon_vma_fork(), fork.cpp);
// dup_anon_vma() copies the identity and whether the chain is inherited
// (anon_vma_clone()), after write-locking dst, as v6.6 does.
// No mempolicy, userfaultfd context, anon_vma name or VM_SOFTDIRTY, and no
// modeled driver has vm_ops->close, so those checks are left out. VMA ranges
// are plain members, changed under mmap_lock for write and the VMAs' write
// locks (mmap.cpp); the tree change is vma_tree's vma_iter_store(), which
// writes the expanded range, cuts the neighbour's and drops the VMAs it covers
// (vma_tree.h).
// Removed VMAs are marked detached and dropped, never freed (mmap.cpp).
#include <algorithm>

#include "model/fs/address_space.h"
#include "model/mm/huge_memory.h"
#include "model/mm/mmap.h"
#include "model/mm/vma_lock.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// is_mergeable_vma() — mm/mmap.c v6.6.
bool is_mergeable_vma(const vm_area_struct* vma, const address_space* file, unsigned long vm_flags) {
    if (vma->vm_flags != vm_flags) return false;  // (vma->vm_flags ^ vm_flags) & ~VM_SOFTDIRTY
    if (vma->vm_mapping != file) return false;     // vma->vm_file != file
    return true;
}

// is_mergeable_anon_vma() — mm/mmap.c v6.6, anon_vmas as identities (file comment).
bool is_mergeable_anon_vma(unsigned anon_vma1, unsigned anon_vma2, const vm_area_struct* vma) {
    // The list_is_singular() test is to avoid merging VMA cloned from
    // parents. This can improve scalability caused by anon_vma lock.
    if ((!anon_vma1 || !anon_vma2) && (!vma || !vma->anon_vma_chain_inherited)) return true;
    return anon_vma1 == anon_vma2;
}

// can_vma_merge_before() — mm/mmap.c v6.6: [.., vm_pgoff) may join vma from below.
bool can_vma_merge_before(const vm_area_struct* vma, unsigned long vm_flags, unsigned anon_vma, const address_space* file,
                          unsigned long vm_pgoff) {
    return is_mergeable_vma(vma, file, vm_flags) && is_mergeable_anon_vma(anon_vma, vma->anon_vma, vma) &&
           vma->vm_pgoff == vm_pgoff;
}

// can_vma_merge_after() — mm/mmap.c v6.6: [vm_pgoff, ..) may join vma from above.
bool can_vma_merge_after(const vm_area_struct* vma, unsigned long vm_flags, unsigned anon_vma, const address_space* file,
                         unsigned long vm_pgoff) {
    return is_mergeable_vma(vma, file, vm_flags) && is_mergeable_anon_vma(anon_vma, vma->anon_vma, vma) &&
           vma->vm_pgoff + vma_pages(vma) == vm_pgoff;
}

// find_vma_intersection() — mm/mmap.c v6.6.
vm_area_struct* find_vma_intersection(mm_struct* mm, unsigned long start, unsigned long end) {
    vm_area_struct* vma = find_vma(mm, start);
    return vma && vma->vm_start < end ? vma : nullptr;
}

// vma_lookup() — include/linux/mm.h v6.6.
vm_area_struct* vma_lookup(mm_struct* mm, unsigned long addr) {
    vm_area_struct* vma = find_vma(mm, addr);
    return vma && vma->vm_start <= addr ? vma : nullptr;
}

// dup_anon_vma() — mm/mmap.c v6.6: dst takes src's anon_vma, write-locked
// first (d8ab9f7b644a, v6.5) since lock_vma_under_rcu() reads dst->anon_vma.
void dup_anon_vma(vm_area_struct* dst, const vm_area_struct* src) {
    if (src->anon_vma && !dst->anon_vma) {
        vma_start_write(dst);
        dst->anon_vma = src->anon_vma;
        dst->anon_vma_chain_inherited = src->anon_vma_chain_inherited;  // anon_vma_clone()
    }
}

// struct vma_prepare with init_multi_vma_prep() — mm/mmap.c v6.6.
struct vma_prepare {
    vm_area_struct* vma;
    vm_area_struct* adj_next;
    vm_area_struct* remove;
    vm_area_struct* remove2;
    address_space* mapping;
};

// vma_prepare() — mm/mmap.c v6.6: the file's i_mmap tree loses the VMAs whose
// range changes until vma_complete() (the anon_vma lock is not modeled).
void vma_prepare(const struct vma_prepare& vp) {
    if (!vp.mapping) return;
    i_mmap_lock_write(vp.mapping);
    vma_interval_tree_remove(vp.vma, vp.mapping);
    if (vp.adj_next) vma_interval_tree_remove(vp.adj_next, vp.mapping);
}

// vma_complete() — mm/mmap.c v6.6: the changed VMAs back in the file's tree,
// the removed ones out of it, detached (and, in the kernel, freed).
void vma_complete(const struct vma_prepare& vp) {
    if (vp.mapping) {
        if (vp.adj_next) vma_interval_tree_insert(vp.adj_next, vp.mapping);
        vma_interval_tree_insert(vp.vma, vp.mapping);
        if (vp.remove) vma_interval_tree_remove(vp.remove, vp.mapping);  // __remove_shared_vm_struct()
        if (vp.remove2) vma_interval_tree_remove(vp.remove2, vp.mapping);
        i_mmap_unlock_write(vp.mapping);
    }
    for (vm_area_struct* removed : {vp.remove, vp.remove2}) {
        if (!removed) continue;
        vma_mark_detached(removed, true);
        // vm_area_free(): VMAs are never freed in the model (mmap.cpp).
    }
}

}  // namespace

// vma_merge() — mm/mmap.c v6.6. The cases, as the kernel's comment draws them
// (PPPP prev, CCCC curr, NNNN next, **** the range [addr, end)):
//   1: PPPP****NNNN -> PPPPPPPPPPPP    5: PPPPCCCCCCCC -> PPPPPPPPCCCC (adjust)
//   2: PPPP****     -> PPPPPPPP        6: PPPPCCCCNNNN -> PPPPPPPPPPPP
//   3:     ****NNNN ->     NNNNNNNN    7: PPPPCCCC     -> PPPPPPPP
//   4: PPPPPPPPNNNN -> PPPPNNNNNNNN    8:     CCCCNNNN ->     NNNNNNNN
vm_area_struct* vma_merge(mm_struct* mm, vm_area_struct* prev, unsigned long addr, unsigned long end,
                          unsigned long vm_flags, unsigned anon_vma, address_space* file, unsigned long pgoff) {
    const unsigned long pglen = (end - addr) >> PAGE_SHIFT;
    unsigned long vma_start = addr, vma_end = end, vma_pgoff = 0;
    long adj_start = 0;
    bool merge_prev = false, merge_next = false;

    // We later require that vma->vm_flags == vm_flags, so this tests
    // vma->vm_flags & VM_SPECIAL, too.
    if (vm_flags & VM_SPECIAL) return nullptr;

    /* Does the input range span an existing VMA? (cases 5 - 8) */
    vm_area_struct* curr = find_vma_intersection(mm, prev ? prev->vm_end : 0, end);
    vm_area_struct* next = nullptr;
    if (!curr ||                /* cases 1 - 4 */
        end == curr->vm_end)    /* cases 6 - 8, adjacent VMA */
        next = vma_lookup(mm, end);

    if (prev) {
        vma_start = prev->vm_start;
        vma_pgoff = prev->vm_pgoff;
        /* Can we merge the predecessor? */
        if (addr == prev->vm_end && can_vma_merge_after(prev, vm_flags, anon_vma, file, pgoff)) merge_prev = true;
    }
    /* Can we merge the successor? */
    if (next && can_vma_merge_before(next, vm_flags, anon_vma, file, pgoff + pglen)) merge_next = true;

    /* Verify some invariant that must be enforced by the caller. */
    VM_BUG_ON(prev && addr <= prev->vm_start, "VM_WARN_ON(prev && addr <= prev->vm_start) in vma_merge");
    VM_BUG_ON(curr && (addr != curr->vm_start || end > curr->vm_end), "VM_WARN_ON(curr range) in vma_merge");
    VM_BUG_ON(addr >= end, "VM_WARN_ON(addr >= end) in vma_merge");

    if (!merge_prev && !merge_next) return nullptr; /* Not mergeable. */

    if (merge_prev) vma_start_write(prev);

    vm_area_struct* res = prev;
    vm_area_struct* vma = prev;
    vm_area_struct *remove = nullptr, *remove2 = nullptr, *adjust = nullptr;

    /* Can we merge both the predecessor and the successor? */
    if (merge_prev && merge_next && is_mergeable_anon_vma(prev->anon_vma, next->anon_vma, nullptr)) {
        vma_start_write(next);
        remove = next; /* case 1 */
        vma_end = next->vm_end;
        dup_anon_vma(prev, next);
        if (curr) { /* case 6 */
            vma_start_write(curr);
            remove = curr;
            remove2 = next;
            if (!next->anon_vma) dup_anon_vma(prev, curr);
        }
    } else if (merge_prev) { /* case 2 */
        if (curr) {
            vma_start_write(curr);
            if (end == curr->vm_end) { /* case 7 */
                remove = curr;
            } else { /* case 5 */
                adjust = curr;
                adj_start = long(end - curr->vm_start);
            }
            dup_anon_vma(prev, curr);
        }
    } else { /* merge_next */
        vma_start_write(next);
        res = next;
        if (prev && addr < prev->vm_end) { /* case 4 */
            vma_start_write(prev);
            vma_end = addr;
            adjust = next;
            adj_start = -long(prev->vm_end - addr);
            dup_anon_vma(next, prev);
        } else {
            // Note that cases 3 and 8 are the ONLY ones where prev is
            // permitted to be (but is not necessarily) NULL.
            vma = next; /* case 3 */
            vma_start = addr;
            vma_end = next->vm_end;
            vma_pgoff = next->vm_pgoff - pglen;
            if (curr) { /* case 8 */
                vma_pgoff = curr->vm_pgoff;
                vma_start_write(curr);
                remove = curr;
                dup_anon_vma(next, curr);
            }
        }
    }

    const bool vma_expanded = vma_start < vma->vm_start || vma_end > vma->vm_end;
    const struct vma_prepare vp{vma, adjust, remove, remove2, vma->vm_mapping};
    vma_prepare(vp);
    vma_adjust_trans_huge(vma, vma_start, vma_end, adj_start);
    vma->vm_start = vma_start;  // vma_set_range()
    vma->vm_end = vma_end;
    vma->vm_pgoff = vma_pgoff;
    if (vma_expanded) mm->vmas.vma_iter_store(vma);  // drops remove and remove2: it covers them
    if (adj_start) {
        adjust->vm_start += adj_start;
        adjust->vm_pgoff += adj_start >> PAGE_SHIFT;  // an arithmetic shift, as the kernel's long
        if (adj_start < 0) {
            VM_BUG_ON(vma_expanded, "WARN_ON(vma_expanded) in vma_merge");
            mm->vmas.vma_iter_store(adjust);  // vma_iter_store(vmi, next)
        }
    }
    for (const vm_area_struct* removed : {remove, remove2})
        VM_BUG_ON(removed && std::find(mm->vmas.begin(), mm->vmas.end(), removed) != mm->vmas.end(),
                  "vma_merge(): a removed VMA is still in the tree");
    vma_complete(vp);
    return res;  // khugepaged_enter_vma() left out (no khugepaged scan)
}

}  // namespace mm
MMCHECK_ENGINE_END
