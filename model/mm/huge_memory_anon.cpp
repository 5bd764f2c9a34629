// Anonymous transparent huge pages, fault and zap: mm/huge_memory.c, v6.6.
//
// Simplification, stated once here: the huge zero page is off
// (/sys/kernel/mm/transparent_hugepage/use_zero_page = 0), so read faults
// allocate a THP like write faults; memcg charging, khugepaged registration,
// userfaultfd and event counters are left out.
#include "model/mm/huge_memory.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

pmd_t mk_huge_pmd(page* p, pgprot_t prot) { return pmd_mkhuge(pfn_pmd(page_to_pfn(p), prot)); }
pmd_t maybe_pmd_mkwrite(pmd_t pmd, const vm_area_struct* vma) {
    return (vma->vm_flags & VM_WRITE) ? pmd_mkwrite(pmd) : pmd;
}

// transhuge_vma_suitable() — include/linux/huge_mm.h v6.6 (anonymous VMAs).
bool transhuge_vma_suitable(const vm_area_struct* vma, unsigned long haddr) {
    return haddr >= vma->vm_start && haddr + PMD_SIZE <= vma->vm_end;
}

// __do_huge_pmd_anonymous_page() — mm/huge_memory.c v6.6.
vm_fault_t __do_huge_pmd_anonymous_page(vm_fault* vmf, page* folio) {
    vm_area_struct* vma = vmf->vma;
    mm_struct* mm = vma->vm_mm;
    const unsigned long haddr = vmf->address & PMD_MASK;
    vm_fault_t ret = 0;

    page* pgtable = pte_alloc_one(mm);
    if (!pgtable) {
        ret = VM_FAULT_OOM;
        goto release;
    }
    // clear_huge_page(); __folio_mark_uptodate()'s barrier orders the clearing
    // before set_pmd_at().
    smp_wmb();

    vmf->ptl = pmd_lock(mm, vmf->pmd);
    if (!pmd_none(deref(vmf->pmd))) goto unlock_release;
    {
        pmd_t entry = mk_huge_pmd(folio, vma_anon_page_prot(vma));
        entry = maybe_pmd_mkwrite(pmd_mkdirty(entry), vma);
        page_add_new_anon_rmap(folio, vma, haddr);
        pgtable_trans_huge_deposit(mm, vmf->pmd, pgtable);
        set_pmd_at(mm, haddr, vmf->pmd, entry);
        mm_inc_nr_ptes(mm);
        spin_unlock(vmf->ptl);
    }
    return 0;
unlock_release:
    spin_unlock(vmf->ptl);
release:
    if (pgtable) pte_free(mm, pgtable);
    put_page(folio);
    return ret;
}

// zap_deposited_table() — mm/huge_memory.c v6.6.
void zap_deposited_table(mm_struct* mm, pmdp_t pmd) {
    page* pgtable = pgtable_trans_huge_withdraw(mm, pmd);
    pte_free(mm, pgtable);
    mm_dec_nr_ptes(mm);
}

}  // namespace

// do_huge_pmd_anonymous_page() — mm/huge_memory.c v6.6 (huge zero page off, see
// the file comment). A failed allocation falls back to pte faults.
vm_fault_t do_huge_pmd_anonymous_page(vm_fault* vmf) {
    vm_area_struct* vma = vmf->vma;
    const unsigned long haddr = vmf->address & PMD_MASK;
    if (!transhuge_vma_suitable(vma, haddr)) return VM_FAULT_FALLBACK;
    page* folio = vma_alloc_folio(vma, TABLE_INDEX_BITS);  // HPAGE_PMD_ORDER
    if (!folio) return VM_FAULT_FALLBACK;
    return __do_huge_pmd_anonymous_page(vmf, folio);
}

// zap_huge_pmd() — mm/huge_memory.c v6.6, anonymous and PFN-mapped VMAs; the
// page is released at once instead of through the mmu_gather.
int zap_huge_pmd(vm_area_struct* vma, pmdp_t pmd, unsigned long addr) {
    mm_struct* mm = vma->vm_mm;
    spinlock_t* ptl = __pmd_trans_huge_lock(pmd, vma);
    if (!ptl) return 0;
    // pmdp_huge_get_and_clear_full(): withdraw only after the pmd is cleared.
    const pmd_t orig_pmd = pmdp_huge_get_and_clear(mm, addr, pmd);
    if (!vma_is_anonymous(vma)) {  // vma_is_special_huge(): x86 deposits nothing
        spin_unlock(ptl);
        return 1;
    }
    page* p = nullptr;
    if (pmd_present(orig_pmd)) {
        p = pfn_to_page(mm->memory, pmd_pfn(orig_pmd));
        page_remove_rmap(p, vma, true);
        VM_BUG_ON(page_mapcount(p) < 0, "VM_BUG_ON_PAGE(page_mapcount(page) < 0)");
        VM_BUG_ON(p->order == 0 || p->use != page_use::anon, "VM_BUG_ON_PAGE(!PageHead(page))");
    }
    zap_deposited_table(mm, pmd);
    spin_unlock(ptl);
    if (p) put_page(p);  // tlb_remove_page_size()
    return 1;
}

}  // namespace mm
MMCHECK_ENGINE_END
