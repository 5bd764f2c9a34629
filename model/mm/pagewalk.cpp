// The generic page-table walker: mm/pagewalk.c. Each level names the form it
// follows; walk_pud_range()/walk_pmd_range() are variants (variants.h
// pagewalk_pud): the 2019 form of the walk_page_mapping() series, v6.6, and
// v6.6 with 3b89863c3fa4. The p4d level is folded (see pgtable.h).
#include "model/mm/pagewalk.h"

#include <algorithm>

#include "model/mm/huge_memory.h"
#include "model/mm/memory.h"
#include "model/mm/pgtable_generic.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// pud++ / pmd++ / pte++: the next slot of the same table page.
template <class Handle>
Handle next_slot(Handle h) { return Handle{h.table, h.index + 1, h.generation}; }

pagewalk_pud form_of(const mm_walk* walk) { return walk->mm->variants.walk_pud; }

int pte_hole(unsigned long addr, unsigned long next, int depth, mm_walk* walk) {
    return walk->ops->pte_hole ? walk->ops->pte_hole(addr, next, depth, walk) : 0;
}

// walk_pte_range_inner() — mm/pagewalk.c v6.6 (the loop of v5.4's walk_pte_range()).
int walk_pte_range_inner(ptep_t pte, unsigned long addr, unsigned long end, mm_walk* walk) {
    int err = 0;
    for (;;) {
        err = walk->ops->pte_entry(pte, addr, addr + PAGE_SIZE, walk);
        if (err) break;
        if (addr >= end - PAGE_SIZE) break;
        addr += PAGE_SIZE;
        pte = next_slot(pte);
    }
    return err;
}

// walk_pte_range() — mm/pagewalk.c: v5.4 maps with the pre-6.5
// pte_offset_map_lock(), which cannot fail; v6.6 with the 6.5+ one, which
// fails on a pmd that is no longer a table, and then asks for ACTION_AGAIN.
int walk_pte_range(pmdp_t pmd, unsigned long addr, unsigned long end, mm_walk* walk) {
    spinlock_t* ptl = nullptr;
    if (form_of(walk) == pagewalk_pud::v2019_pud_trans_huge_lock) {
        const ptep_t pte = pte_offset_map_lock(walk->mm, pmd, addr, &ptl);
        const int err = walk_pte_range_inner(pte, addr, end, walk);
        pte_unmap_unlock(pte, ptl);
        return err;
    }
    int err = 0;
    const ptep_t pte = v6_5::pte_offset_map_lock(walk->mm, pmd, addr, &ptl);
    if (pte.table) {
        err = walk_pte_range_inner(pte, addr, end, walk);
        v6_5::pte_unmap_unlock(pte, ptl);
    }
    if (!pte.table) walk->action = ACTION_AGAIN;
    return err;
}

// walk_pmd_range() — the 2019 form (v5.4 + walk_page_mapping() series): a
// pte_entry walker splits every huge pmd, then re-checks pmd_trans_unstable().
int walk_pmd_range_v2019(pudp_t pud, unsigned long addr, unsigned long end, mm_walk* walk) {
    const mm_walk_ops* ops = walk->ops;
    unsigned long next;
    int err = 0;
    pmdp_t pmd = pmd_offset(pud, addr);
    do {
    again:
        next = pmd_addr_end(addr, end);
        if (pmd_none(deref(pmd)) || !walk->vma) {
            err = pte_hole(addr, next, 3, walk);
            if (err) break;
            continue;
        }
        // This implies that each ->pmd_entry() handler needs to know about
        // pmd_trans_huge() pmds.
        if (ops->pmd_entry) err = ops->pmd_entry(pmd, addr, next, walk);
        if (err) break;
        // Check this here so we only break down trans_huge pages when we _need_ to.
        if (!ops->pte_entry) continue;
        split_huge_pmd(walk->vma, pmd, addr);
        if (pmd_trans_unstable(pmd)) goto again;
        err = walk_pte_range(pmd, addr, next, walk);
        if (err) break;
    } while (pmd = next_slot(pmd), addr = next, addr != end);
    return err;
}

// walk_pmd_range() — mm/pagewalk.c v6.6; with fixed_3b89863c3fa4, first one
// pudp_get() snapshot: a pud that no longer names a pmd table (split, then
// refaulted as a leaf) is not descended but retried.
int walk_pmd_range(pudp_t pud, unsigned long addr, unsigned long end, mm_walk* walk) {
    const mm_walk_ops* ops = walk->ops;
    unsigned long next;
    int err = 0;
    if (form_of(walk) == pagewalk_pud::fixed_3b89863c3fa4) {
        // A pud naming a pmd table cannot go away, so it can be walked; anything
        // else means we raced (a refault after a split): retry.
        const pud_t pudval = pudp_get(pud);
        if (!pud_present(pudval) || pud_leaf(pudval)) {
            walk->action = ACTION_AGAIN;
            return 0;
        }
    }
    pmdp_t pmd = pmd_offset(pud, addr);
    do {
    again:
        next = pmd_addr_end(addr, end);
        if (pmd_none(deref(pmd))) {
            err = pte_hole(addr, next, 3, walk);
            if (err) break;
            continue;
        }
        walk->action = ACTION_SUBTREE;
        if (ops->pmd_entry) err = ops->pmd_entry(pmd, addr, next, walk);
        if (err) break;
        if (walk->action == ACTION_AGAIN) goto again;
        // Check this here so we only break down trans_huge pages when we _need_ to.
        if ((!walk->vma && (pmd_leaf(deref(pmd)) || !pmd_present(deref(pmd)))) ||
            walk->action == ACTION_CONTINUE || !ops->pte_entry)
            continue;
        if (walk->vma) split_huge_pmd(walk->vma, pmd, addr);
        err = walk_pte_range(pmd, addr, next, walk);
        if (err) break;
        if (walk->action == ACTION_AGAIN) goto again;
    } while (pmd = next_slot(pmd), addr = next, addr != end);
    return err;
}

// walk_pud_range() — the 2019 form: pud_entry() sees only what
// pud_trans_huge_lock() finds huge; anything else is split and, unless it is
// none by then, descended with walk_pmd_range(), which re-reads *pud.
int walk_pud_range_v2019(pgdp_t p4d, unsigned long addr, unsigned long end, mm_walk* walk) {
    const mm_walk_ops* ops = walk->ops;
    unsigned long next;
    int err = 0;
    pudp_t pud = pud_offset(p4d, addr);
    do {
    again:
        next = pud_addr_end(addr, end);
        if (pud_none(deref(pud)) || !walk->vma) {
            err = pte_hole(addr, next, 2, walk);
            if (err) break;
            continue;
        }
        if (ops->pud_entry) {
            spinlock_t* ptl = pud_trans_huge_lock(pud, walk->vma);
            if (ptl) {
                err = ops->pud_entry(pud, addr, next, walk);
                spin_unlock(ptl);
                if (err) break;
                continue;
            }
        }
        split_huge_pud(walk->vma, pud, addr);
        if (pud_none(deref(pud))) goto again;
        if (ops->pmd_entry || ops->pte_entry) err = walk_pmd_range_v2019(pud, addr, next, walk);
        if (err) break;
    } while (pud = next_slot(pud), addr = next, addr != end);
    return err;
}

// walk_pud_range() — mm/pagewalk.c v6.6 (pud_entry() unlocked, ACTION_*); with
// fixed_3b89863c3fa4 the pud_none() re-check after the split is gone and
// walk_pmd_range()'s ACTION_AGAIN sends the walk back here (plus the v6.12
// `else if` for walks without a vma).
int walk_pud_range(pgdp_t p4d, unsigned long addr, unsigned long end, mm_walk* walk) {
    const mm_walk_ops* ops = walk->ops;
    const bool fixed = form_of(walk) == pagewalk_pud::fixed_3b89863c3fa4;
    unsigned long next;
    int err = 0;
    pudp_t pud = pud_offset(p4d, addr);
    do {
    again:
        next = pud_addr_end(addr, end);
        if (pud_none(deref(pud))) {
            err = pte_hole(addr, next, 2, walk);
            if (err) break;
            continue;
        }
        walk->action = ACTION_SUBTREE;
        if (ops->pud_entry) err = ops->pud_entry(pud, addr, next, walk);
        if (err) break;
        if (walk->action == ACTION_AGAIN) goto again;
        if ((!walk->vma && (pud_leaf(deref(pud)) || !pud_present(deref(pud)))) || walk->action == ACTION_CONTINUE ||
            !(ops->pmd_entry || ops->pte_entry))
            continue;
        if (walk->vma) split_huge_pud(walk->vma, pud, addr);
        if (!fixed && pud_none(deref(pud))) goto again;
        err = walk_pmd_range(pud, addr, next, walk);
        if (err) break;
        if (fixed && walk->action == ACTION_AGAIN) goto again;
    } while (pud = next_slot(pud), addr = next, addr != end);
    return err;
}

// walk_p4d_range() — p4d folded: p4d_offset() is the pgd entry and
// p4d_none_or_clear_bad() is never true; only the callback test is left.
// v5.4 descends only for pmd_entry/pte_entry walkers, v6.6 for pud_entry too.
int walk_p4d_range(pgdp_t pgd, unsigned long addr, unsigned long end, mm_walk* walk) {
    const mm_walk_ops* ops = walk->ops;
    if (form_of(walk) == pagewalk_pud::v2019_pud_trans_huge_lock)
        return (ops->pmd_entry || ops->pte_entry) ? walk_pud_range_v2019(pgd, addr, end, walk) : 0;
    return (ops->pud_entry || ops->pmd_entry || ops->pte_entry) ? walk_pud_range(pgd, addr, end, walk) : 0;
}

// walk_pgd_range() — mm/pagewalk.c v6.6, without pgd_entry, hugepd and
// pgd_clear_bad() (a bad pgd is treated as present).
int walk_pgd_range(unsigned long addr, unsigned long end, mm_walk* walk) {
    unsigned long next;
    int err = 0;
    pgdp_t pgd = pgd_offset(walk->mm, addr);
    do {
        next = pgd_addr_end(addr, end);
        if (pgd_val(deref(pgd)) == 0) {
            err = pte_hole(addr, next, 0, walk);
            if (err) break;
            continue;
        }
        err = walk_p4d_range(pgd, addr, next, walk);
        if (err) break;
    } while (pgd = next_slot(pgd), addr = next, addr != end);
    return err;
}

// walk_page_test() — mm/pagewalk.c v5.4/v6.6: test_walk(), else skip VM_PFNMAP
// VMAs (reporting them as one hole).
int walk_page_test(unsigned long start, unsigned long end, mm_walk* walk) {
    if (walk->ops->test_walk) return walk->ops->test_walk(start, end, walk);
    if (walk->vma->vm_flags & VM_PFNMAP) {
        const int err = walk->ops->pte_hole ? walk->ops->pte_hole(start, end, -1, walk) : 1;
        return err ? err : 1;
    }
    return 0;
}

// __walk_page_range() — mm/pagewalk.c v5.6 (pre_vma/post_vma), no hugetlb.
int __walk_page_range(unsigned long start, unsigned long end, mm_walk* walk) {
    const mm_walk_ops* ops = walk->ops;
    int err = 0;
    if (walk->vma && ops->pre_vma) {
        err = ops->pre_vma(start, end, walk);
        if (err) return err;
    }
    err = walk_pgd_range(start, end, walk);
    if (walk->vma && ops->post_vma) ops->post_vma(walk);
    return err;
}

void lockdep_assert_held(rw_semaphore* lock, const char* what) {
    if (!kernel::detail::holds(lock)) report_violation(violation_kind::lock_discipline, what);
}

}  // namespace

// walk_page_range() — mm/pagewalk.c v6.6 (holes between VMAs reported with depth
// -1) in every variant: the vma loop takes no part in the modeled races.
int walk_page_range(mm_struct* mm, unsigned long start, unsigned long end, const mm_walk_ops* ops,
                    void* private_data) {
    mm_walk walk{ops, mm, nullptr, ACTION_SUBTREE, private_data};
    if (start >= end || !walk.mm) return -1;  // -EINVAL
    lockdep_assert_held(&mm->mmap_lock, "walk_page_range() without mmap_lock");
    vm_area_struct* vma = find_vma(mm, start);
    int err = 0;
    unsigned long next;
    do {
        if (!vma || start < vma->vm_start) {  // after the last vma, or outside one
            walk.vma = nullptr;
            next = vma ? std::min(end, vma->vm_start) : end;
            if (ops->pte_hole) err = ops->pte_hole(start, next, -1, &walk);
        } else {  // inside vma
            walk.vma = vma;
            next = std::min(end, vma->vm_end);
            vma = find_vma(mm, vma->vm_end);
            err = walk_page_test(start, next, &walk);
            if (err > 0) {
                // positive return values are purely for controlling the
                // pagewalk, so should never be passed to the callers.
                err = 0;
                continue;
            }
            if (err < 0) break;
            err = __walk_page_range(start, next, &walk);
        }
        if (err) break;
    } while (start = next, start < end);
    return err;
}

// walk_page_vma() — mm/pagewalk.c v5.6/v6.6 (no per-VMA lock).
int walk_page_vma(vm_area_struct* vma, const mm_walk_ops* ops, void* private_data) {
    mm_walk walk{ops, vma->vm_mm, vma, ACTION_SUBTREE, private_data};
    lockdep_assert_held(&vma->vm_mm->mmap_lock, "walk_page_vma() without mmap_lock");
    const int err = walk_page_test(vma->vm_start, vma->vm_end, &walk);
    if (err > 0) return 0;
    if (err < 0) return err;
    return __walk_page_range(vma->vm_start, vma->vm_end, &walk);
}

// walk_page_mapping() — mm/pagewalk.c as added by the 2019 series (v5.6), the
// same in v6.6: every VMA of every mm mapping [first_index, first_index + nr),
// under i_mmap_rwsem only, no mmap_lock. A test_walk() skip ends the walk, as
// there (`break`, not `continue`).
int walk_page_mapping(address_space* mapping, pgoff_t first_index, pgoff_t nr, const mm_walk_ops* ops,
                      void* private_data) {
    mm_walk walk{ops, nullptr, nullptr, ACTION_SUBTREE, private_data};
    int err = 0;
    lockdep_assert_held(&mapping->i_mmap_rwsem, "walk_page_mapping() without i_mmap_rwsem");
    unsigned slot = 0;
    while (vm_area_struct* vma = vma_interval_tree_next(mapping, &slot, first_index, first_index + nr - 1)) {
        // Clip to the vma.
        const pgoff_t vba = vma->vm_pgoff;
        const pgoff_t vea = vba + vma_pages(vma);
        const pgoff_t cba = std::max(first_index, vba);
        const pgoff_t cea = std::min(first_index + nr, vea);
        const unsigned long start_addr = ((cba - vba) << PAGE_SHIFT) + vma->vm_start;
        const unsigned long end_addr = ((cea - vba) << PAGE_SHIFT) + vma->vm_start;
        if (start_addr >= end_addr) continue;
        walk.vma = vma;
        walk.mm = vma->vm_mm;
        err = walk_page_test(vma->vm_start, vma->vm_end, &walk);
        if (err > 0) {
            err = 0;
            break;
        } else if (err < 0) {
            break;
        }
        err = __walk_page_range(start_addr, end_addr, &walk);
        if (err) break;
    }
    return err;
}

}  // namespace mm
MMCHECK_ENGINE_END
