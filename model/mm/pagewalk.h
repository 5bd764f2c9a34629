// The generic page-table walker: struct mm_walk_ops, struct mm_walk and the
// walk_page_*() entry points (include/linux/pagewalk.h, v6.6; the 2019 form
// differs only inside mm/pagewalk.c, see variants.h pagewalk_pud).
//
// Left out: hugetlb_entry, pgd_entry/p4d_entry, walk_page_range_novma() and
// walk_lock. pte_hole() takes the `depth` argument (v5.6+) in every form.
#pragma once

#include "model/fs/address_space.h"
#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// What the walker does after a pud_entry/pmd_entry callback (v5.6+).
enum page_walk_action {
    ACTION_SUBTREE = 0,   // descend to the next lower level
    ACTION_CONTINUE = 1,  // skip the entry's subtree
    ACTION_AGAIN = 2,     // look at this entry again
};

struct mm_walk;

struct mm_walk_ops {
    int (*pud_entry)(pudp_t pud, unsigned long addr, unsigned long next, mm_walk* walk) = nullptr;
    int (*pmd_entry)(pmdp_t pmd, unsigned long addr, unsigned long next, mm_walk* walk) = nullptr;
    int (*pte_entry)(ptep_t pte, unsigned long addr, unsigned long next, mm_walk* walk) = nullptr;
    int (*pte_hole)(unsigned long addr, unsigned long next, int depth, mm_walk* walk) = nullptr;
    int (*test_walk)(unsigned long addr, unsigned long next, mm_walk* walk) = nullptr;
    int (*pre_vma)(unsigned long start, unsigned long end, mm_walk* walk) = nullptr;
    void (*post_vma)(mm_walk* walk) = nullptr;
};

struct mm_walk {
    const mm_walk_ops* ops = nullptr;
    mm_struct* mm = nullptr;
    vm_area_struct* vma = nullptr;
    page_walk_action action = ACTION_SUBTREE;
    void* private_data = nullptr;  // walk->private
};

// Callers hold mm->mmap_lock (walk_page_range, walk_page_vma) or
// mapping->i_mmap_rwsem (walk_page_mapping); a missing lock is a
// lock-discipline violation (lockdep_assert_held()).
int walk_page_range(mm_struct* mm, unsigned long start, unsigned long end, const mm_walk_ops* ops, void* private_data);
int walk_page_vma(vm_area_struct* vma, const mm_walk_ops* ops, void* private_data);
int walk_page_mapping(address_space* mapping, pgoff_t first_index, pgoff_t nr, const mm_walk_ops* ops,
                      void* private_data);

}  // namespace mm
MMCHECK_ENGINE_END
