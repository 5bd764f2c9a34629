// See migrate_vma_insert.h. The form is a variant (model/mm/variants.h): the
// 2017 posting discussed in seed thread 003 (pte_alloc() then
// pte_offset_map_lock() with nothing in between), v4.14 as merged (re-check
// pmd_trans_unstable() after pte_alloc()), and v6.6, whose 6.5+
// pte_offset_map_lock() fails on a pmd that is no longer a table; and the
// hypothetical v6.6 without the pte check under the ptl (S5).
//
// The v6.6 form maps a device-private destination by a device-private entry;
// the v4.14 and 2017 forms take system pages only (the model's scenarios give
// them no other). Left out: memcg charging, userfaultfd, mmu notifiers (the
// caller's bracket covers it), check_stable_address_space().
#include "model/mm/migrate_vma_insert.h"

#include "model/mm/memory.h"
#include "model/mm/memremap.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

pte_t insert_entry(const vm_area_struct* vma, page* page) {
    if (is_device_private_page(page)) {  // v6.6
        const swp_entry_t swp_entry = (vma->vm_flags & VM_WRITE)
                                          ? make_writable_device_private_entry(page_to_pfn(page))
                                          : make_readable_device_private_entry(page_to_pfn(page));
        return swp_entry_to_pte(swp_entry);
    }
    pte_t entry = pfn_pte(page_to_pfn(page), vma_anon_page_prot(vma));
    if (vma->vm_flags & VM_WRITE) entry = pte_mkwrite(pte_mkdirty(entry));
    return entry;
}

// pgd_offset/p4d_alloc (folded)/pud_alloc/pmd_alloc, as both versions begin.
bool alloc_pmd(mm_struct* mm, unsigned long addr, pmdp_t* pmdp) {
    const pudp_t pudp = pud_alloc(mm, pgd_offset(mm, addr), addr);
    if (!pudp.table) return false;
    bool oom = false;
    *pmdp = pmd_alloc(mm, pudp, addr, &oom);
    return !oom;
}

// migrate_vma_insert_page() — mm/migrate.c v4.14; without the second
// pmd_trans_unstable() it is the 2017 posting.
bool insert_v4_14(vm_area_struct* vma, unsigned long addr, page* page, bool recheck) {
    mm_struct* mm = vma->vm_mm;
    spinlock_t* ptl = nullptr;
    pmdp_t pmdp;
    if (!alloc_pmd(mm, addr, &pmdp)) return false;
    if (pmd_trans_huge(deref(pmdp)) || pmd_devmap(deref(pmdp))) return false;
    // "Use pte_alloc() instead of pte_alloc_map(). We can't run
    // pte_offset_map() on pmds where a huge pmd might be created from a
    // different thread. [...] Here we only have down_read(mmap_sem)."
    if (pte_alloc(mm, pmdp)) return false;
    /* See the comment in pte_alloc_one_map() */
    if (recheck && pmd_trans_unstable(pmdp)) return false;

    smp_wmb();  // __SetPageUptodate(): the page contents before set_pte_at()
    const pte_t entry = insert_entry(vma, page);
    const ptep_t ptep = pte_offset_map_lock(mm, pmdp, addr, &ptl);
    if (!pte_none(deref(ptep))) {
        pte_unmap_unlock(ptep, ptl);
        return false;
    }
    page_add_new_anon_rmap(page, vma, addr);
    get_page(page);
    set_pte_at(mm, addr, ptep, entry);
    pte_unmap_unlock(ptep, ptl);
    return true;
}

// migrate_vma_insert_page() — mm/migrate_device.c v6.6 (the zero-page
// replacement branch included, without its notifier: migrate_vma_pages()
// brackets the call). Without `recheck`, the hypothetical no_pte_none_recheck.
bool insert_v6_6(vm_area_struct* vma, unsigned long addr, page* page, bool recheck) {
    mm_struct* mm = vma->vm_mm;
    spinlock_t* ptl = nullptr;
    pmdp_t pmdp;
    bool flush = false;
    if (!alloc_pmd(mm, addr, &pmdp)) return false;
    if (pmd_trans_huge(deref(pmdp)) || pmd_devmap(deref(pmdp))) return false;
    if (pte_alloc(mm, pmdp)) return false;

    smp_wmb();  // __SetPageUptodate()
    const pte_t entry = insert_entry(vma, page);
    const ptep_t ptep = v6_5::pte_offset_map_lock(mm, pmdp, addr, &ptl);
    if (!ptep.table) return false;
    const pte_t orig_pte = ptep_get(ptep);
    if (!recheck) {
        flush = !pte_none(orig_pte);
    } else if (pte_present(orig_pte)) {
        if (!is_zero_pfn(pte_pfn(orig_pte))) goto unlock_abort;
        flush = true;
    } else if (!pte_none(orig_pte)) {
        goto unlock_abort;
    }
    page_add_new_anon_rmap(page, vma, addr);
    get_page(page);
    if (flush) ptep_get_and_clear(mm, addr, ptep);  // ptep_clear_flush_notify()
    set_pte_at(mm, addr, ptep, entry);
    v6_5::pte_unmap_unlock(ptep, ptl);
    return true;
unlock_abort:
    v6_5::pte_unmap_unlock(ptep, ptl);
    return false;
}

}  // namespace

bool migrate_vma_insert_page(vm_area_struct* vma, unsigned long addr, page* page) {
    /* Only allow populating anonymous memory */
    if (!vma_is_anonymous(vma)) return false;
    switch (vma->vm_mm->variants.migrate_insert) {
        case migrate_vma_insert::v2017_no_recheck: return insert_v4_14(vma, addr, page, false);
        case migrate_vma_insert::v4_14_pmd_trans_unstable: return insert_v4_14(vma, addr, page, true);
        case migrate_vma_insert::v6_5_pte_offset_map_lock: return insert_v6_6(vma, addr, page, true);
        case migrate_vma_insert::no_pte_none_recheck: return insert_v6_6(vma, addr, page, false);
    }
    return false;
}

}  // namespace mm
MMCHECK_ENGINE_END
