// See hmm_iter.h. The 2015 postings (v9/v10, PATCH 09) busy-looped on
// pmd_trans_splitting(); after the v4.5 THP refcount rework removed that state
// the 2016 postings check pmd_trans_huge() locklessly, take pmd_lock() and
// re-check (seed thread 000). The pmd step is a variant (model/mm/variants.h).
//
// The iterator's own assumption, quoted from the patch: the caller holds the
// mmap semaphore or the i_mmap_lock, so "pmd can not vanish from under us" and a
// regular pmd "can not morph". The cached ptep relies on it across calls.
#include "model/mm/hmm_iter.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

void mm_pt_iter_init(mm_pt_iter* pt_iter, mm_struct* mm) {
    pt_iter->mm = mm;
    pt_iter->ptep = {};
    pt_iter->addr = ~0ul;
}

void mm_pt_iter_fini(mm_pt_iter* pt_iter) {
    pte_unmap(pt_iter->ptep);
    pt_iter->ptep = {};
    pt_iter->addr = ~0ul;
    pt_iter->mm = nullptr;
}

namespace {

bool mm_pt_iter_in_range(const mm_pt_iter* pt_iter, unsigned long addr) {
    return addr >= pt_iter->addr && addr < pt_iter->addr + PMD_SIZE;
}

// pmd_page(pmd) + pte_index(addr): the subpage a huge pmd maps at addr.
page* huge_subpage(mem_map& memory, pmd_t pmd, unsigned long addr) {
    return pfn_to_page(memory, pmd_pfn(pmd) + pte_index(addr));
}

enum class pmd_step { found, retry, regular };

// The pmd step of mm_pt_iter_page() in the form the variant selects; `found`
// sets *result. Each `deref(pmdp)` is one plain `*pmdp` of the C code.
pmd_step huge_pmd_step(mm_pt_iter* pt_iter, pmdp_t pmdp, unsigned long addr, page** result) {
    mm_struct* mm = pt_iter->mm;
    switch (mm->variants.mm_pt_iter) {
        case hmm_mm_pt_iter::seed_2016_lock_recheck: {
            if (!pmd_trans_huge(deref(pmdp))) return pmd_step::regular;
            spinlock_t* ptl = pmd_lock(mm, pmdp);
            if (pmd_trans_huge(deref(pmdp))) {
                *result = huge_subpage(mm->memory, deref(pmdp), addr);
                spin_unlock(ptl);
                return pmd_step::found;
            }
            /* It was morphing from thp to regular, try again. */
            spin_unlock(ptl);
            return pmd_step::retry;
        }
        case hmm_mm_pt_iter::no_recheck: {
            if (!pmd_trans_huge(deref(pmdp))) return pmd_step::regular;
            spinlock_t* ptl = pmd_lock(mm, pmdp);
            *result = huge_subpage(mm->memory, deref(pmdp), addr);
            spin_unlock(ptl);
            return pmd_step::found;
        }
        case hmm_mm_pt_iter::second_read:
            if (!pmd_trans_huge(deref(pmdp))) return pmd_step::regular;
            *result = huge_subpage(mm->memory, deref(pmdp), addr);
            return pmd_step::found;
        case hmm_mm_pt_iter::lockless_snapshot: {
            const pmd_t pmd = pmdp_get_lockless(pmdp);
            if (!pmd_trans_huge(pmd)) return pmd_step::regular;
            *result = huge_subpage(mm->memory, pmd, addr);
            return pmd_step::found;
        }
    }
    return pmd_step::regular;
}

// The cached-table lookup: *(pt_iter->ptep + pte_index(addr)).
page* cached_pte_page(mm_pt_iter* pt_iter, unsigned long addr) {
    // ptep + i keeps the table (and its generation) cached at the first call.
    const ptep_t slot{pt_iter->ptep.table, pte_index(addr), pt_iter->ptep.generation};
    const pte_t entry = deref(slot);
    if (pte_none(entry) || !pte_present(entry)) return nullptr;
    if (pte_special(entry)) return nullptr;
    const unsigned long pfn = pte_pfn(entry);
    if (is_zero_pfn(pfn)) return nullptr;
    return pfn_to_page(pt_iter->mm->memory, pfn);
}

}  // namespace

// mm_pt_iter_page() — HMM series 2016 (seed thread 000), pmd step per variant.
page* mm_pt_iter_page(mm_pt_iter* pt_iter, unsigned long addr) {
again:
    // "What we are doing here is only valid if we old either the mmap semaphore
    // or the i_mmap_lock of vma->address_space the address belongs to."
    if (mm_pt_iter_in_range(pt_iter, addr) && pt_iter->ptep.table) return cached_pte_page(pt_iter, addr);

    if (pt_iter->ptep.table) {
        pte_unmap(pt_iter->ptep);
        pt_iter->ptep = {};
        pt_iter->addr = ~0ul;
    }
    const pgdp_t pgdp = pgd_offset(pt_iter->mm, addr);
    if (pgd_val(deref(pgdp)) == 0) return nullptr;  // pgd_none_or_clear_bad()
    const pudp_t pudp = pud_offset(pgdp, addr);
    const pud_t pud = deref(pudp);
    if (pud_none(pud) || pud_bad(pud)) return nullptr;  // pud_none_or_clear_bad()
    const pmdp_t pmdp = pmd_offset(pudp, addr);

    page* result = nullptr;
    switch (huge_pmd_step(pt_iter, pmdp, addr, &result)) {
        case pmd_step::found: return result;
        case pmd_step::retry: goto again;
        case pmd_step::regular: break;
    }
    if (pmd_none(deref(pmdp)) || pmd_bad(deref(pmdp))) return nullptr;
    /* Regular pmd and it can not morph. */
    pt_iter->ptep = pte_offset_map(pmdp, addr & PMD_MASK);
    // The pte loads depend on the address read from *pmdp, which orders them
    // after it on every CPU but Alpha; the engines know no dependencies, so the
    // model states that order as a read barrier.
    smp_rmb();
    pt_iter->addr = addr & PMD_MASK;
    goto again;
}

}  // namespace mm
MMCHECK_ENGINE_END
