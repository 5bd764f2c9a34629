// See pgtable_generic.h: mm/pgtable-generic.c, v6.6.
#include "model/mm/pgtable_generic.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

// pgtable_trans_huge_deposit() — mm/pgtable-generic.c v6.6. The list lives in the
// pmd table's page (pmd_huge_pte() with split pmd ptlocks) and is protected by
// its ptl. Simplification: a LIFO stack instead of the kernel's FIFO list; any
// deposited table serves any huge pmd of that pmd table.
void pgtable_trans_huge_deposit(mm_struct* mm, pmdp_t pmdp, page* pgtable) {
    VM_BUG_ON(!spin_is_locked_by_me(pmd_lockptr(mm, pmdp)), "assert_spin_locked(pmd_lockptr(mm, pmdp))");
    pgtable->pgtable_lru.write(pmdp.table->pmd_huge_pte.read());
    pmdp.table->pmd_huge_pte.write(pgtable);
}

// pgtable_trans_huge_withdraw() — mm/pgtable-generic.c v6.6 (LIFO, see deposit).
page* pgtable_trans_huge_withdraw(mm_struct* mm, pmdp_t pmdp) {
    VM_BUG_ON(!spin_is_locked_by_me(pmd_lockptr(mm, pmdp)), "assert_spin_locked(pmd_lockptr(mm, pmdp))");
    page* pgtable = pmdp.table->pmd_huge_pte.read();
    VM_BUG_ON(pgtable == nullptr, "withdraw from a pmd table with no deposited pte table");
    pmdp.table->pmd_huge_pte.write(pgtable->pgtable_lru.read());
    pgtable->pgtable_lru.write(nullptr);
    return pgtable;
}

// pmdp_invalidate() — mm/pgtable-generic.c v6.6: the entry keeps _PAGE_PSE, so it
// stays pmd_trans_huge() for every reader while the split completes. TLB flush
// left out (no TLB in the model).
pmd_t pmdp_invalidate(vm_area_struct* vma, unsigned long address, pmdp_t pmdp) {
    return pmdp_establish(vma, address, pmdp, pmd_mkinvalid(deref(pmdp)));
}

// pmdp_collapse_flush() — mm/pgtable-generic.c v6.6, without the TLB flush.
pmd_t pmdp_collapse_flush(vm_area_struct* vma, unsigned long address, pmdp_t pmdp) {
    return pmdp_huge_get_and_clear(vma->vm_mm, address, pmdp);
}

namespace {
void pte_free_now(rcu_head* head) { pte_free(nullptr, page_of_rcu_head(head)); }
}  // namespace

// pte_free_defer() — mm/pgtable-generic.c v6.6: free after an RCU grace period,
// so that 6.5+ pte_offset_map() users still inside rcu_read_lock() are safe.
void pte_free_defer(mm_struct*, page* pgtable) { call_rcu(&pgtable->rcu, &pte_free_now); }

namespace v6_5 {

// __pte_offset_map() — mm/pgtable-generic.c v6.6 (no CONFIG_HIGHPTE).
ptep_t __pte_offset_map(pmdp_t pmd, unsigned long addr, pmd_t* pmdvalp) {
    rcu_read_lock();
    const pmd_t pmdval = pmdp_get_lockless(pmd);
    if (pmdvalp) *pmdvalp = pmdval;
    // is_pmd_migration_entry(): non-none and not present in this model.
    if (pmd_none(pmdval) || !pmd_present(pmdval)) goto nomap;
    if (pmd_trans_huge(pmdval) || pmd_devmap(pmdval)) goto nomap;
    if (pmd_bad(pmdval)) report_violation(violation_kind::assertion, "pmd_bad() in __pte_offset_map: pmd_clear_bad");
    // __pte_map(&pmdval, addr): the table the snapshot names, not a re-read.
    return pte_handle(pfn_to_page(*pmd.table->memory, pmd_pfn(pmdval)), pte_index(addr));
nomap:
    rcu_read_unlock();
    return {};
}

ptep_t pte_offset_map(pmdp_t pmd, unsigned long addr) { return __pte_offset_map(pmd, addr, nullptr); }

// __pte_offset_map_lock() — mm/pgtable-generic.c v6.6.
ptep_t pte_offset_map_lock(mm_struct*, pmdp_t pmd, unsigned long addr, spinlock_t** ptlp) {
    for (;;) {
        pmd_t pmdval;
        const ptep_t pte = __pte_offset_map(pmd, addr, &pmdval);
        if (!pte.table) return pte;
        spinlock_t* ptl = &pte.table->ptl;  // pte_lockptr(mm, &pmdval)
        spin_lock(ptl);
        if (pmd_same(pmdval, pmdp_get_lockless(pmd))) {
            *ptlp = ptl;
            return pte;
        }
        v6_5::pte_unmap_unlock(pte, ptl);
    }
}

// pte_offset_map_nolock() — mm/pgtable-generic.c v6.6.
ptep_t pte_offset_map_nolock(mm_struct*, pmdp_t pmd, unsigned long addr, spinlock_t** ptlp) {
    pmd_t pmdval;
    const ptep_t pte = __pte_offset_map(pmd, addr, &pmdval);
    if (pte.table) *ptlp = &pte.table->ptl;  // pte_lockptr(mm, &pmdval)
    return pte;
}

void pte_unmap(ptep_t) { rcu_read_unlock(); }

void pte_unmap_unlock(ptep_t pte, spinlock_t* ptl) {
    spin_unlock(ptl);
    v6_5::pte_unmap(pte);
}

}  // namespace v6_5

}  // namespace mm
MMCHECK_ENGINE_END
