// KSM merging one page into a stable (KSM) page: write_protect_page() and
// replace_page() of mm/ksm.c, v6.6, with their notifier brackets. How the
// bracket and set_pte_at_notify() are used is a variant (model/mm/variants.h,
// change_pte_notify): the 2009 form without the bracket, v3.9 to v6.8, and the
// seed's 2019 MMU_NOTIFIER_USE_CHANGE_PTE posting.
//
// Left out: the stable and unstable trees, checksums and the ksmd loop;
// swap. try_to_merge_one_page() splits a THP with split_huge_page() as v6.6
// does (the KSM scenario's pages are small; the property test in
// tests/props/ takes that branch). A KSM page is marked PageKsm (page.h) and
// holds no reference of its own: its mappings hold it, as in the kernel.
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// Both return 0 or -EFAULT, as the kernel's. The caller holds a reference on
// page and its page lock, as try_to_merge_one_page() does.
int write_protect_page(vm_area_struct* vma, page* page, pte_t* orig_pte);
int replace_page(vm_area_struct* vma, page* page, struct page* kpage, pte_t orig_pte);
// try_to_merge_one_page() — mm/ksm.c v6.6 without the pages_identical()
// content compare (the model's pages have no contents: they are equal). With
// kpage NULL, page itself becomes the KSM page (PageKsm, page.h).
int try_to_merge_one_page(vm_area_struct* vma, page* page, struct page* kpage);
// try_to_merge_with_ksm_page() — mm/ksm.c v6.6: under mmap_lock for read, the
// mergeable VMA at address, then try_to_merge_one_page(). The rmap_item is
// reduced to its (mm, address); the stable and unstable trees are not modeled.
int try_to_merge_with_ksm_page(mm_struct* mm, unsigned long address, page* page, struct page* kpage);
// ksm_madvise() — mm/ksm.c v6.6 for MADV_UNMERGEABLE, the one advice a modeled
// path gives (move_vma()): every KSM page [start, end) of vma maps is broken
// out (unmerge_ksm_pages(), break_ksm()), and *vm_flags loses VM_MERGEABLE.
// 0, or -ENOMEM/-EFAULT as a negative number. Caller holds mmap_lock for write.
inline constexpr int MADV_UNMERGEABLE = 13;
int ksm_madvise(vm_area_struct* vma, unsigned long start, unsigned long end, int advice, unsigned long* vm_flags);
// try_to_merge_two_pages() — mm/ksm.c v6.6: page (at address in mm) becomes a
// KSM page and tree_page (at tree_address in tree_mm) is replaced by it; the
// KSM page, or NULL. The caller holds a reference on both pages, as
// cmp_and_merge_page() does.
page* try_to_merge_two_pages(mm_struct* mm, unsigned long address, page* page, mm_struct* tree_mm,
                             unsigned long tree_address, struct page* tree_page);

}  // namespace mm
MMCHECK_ENGINE_END
