// See page_vma_mapped.h: mm/page_vma_mapped.c v6.6 on the 6.5+ pte mapping
// (pte_offset_map_nolock(), which may fail and restarts the walk).
//
// Left out: hugetlb, device-private/exclusive and pte-level migration
// entries (check_pte() never matches a non-present pte, so PVMW_MIGRATION
// finds only pmd migration entries), and the PVMW_SYNC early lock of a
// cleared huge pmd (thp_vma_suitable_order()): the model takes it for any
// folio of HPAGE_PMD_NR pages.
#include "model/mm/page_vma_mapped.h"

#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

unsigned long page_address_in_vma(page* p, vm_area_struct* vma) {
    const unsigned long address = vma->vm_start + ((p->index - vma->vm_pgoff) << PAGE_SHIFT);
    return address < vma->vm_start || address >= vma->vm_end ? ~0ul : address;
}

struct page_vma_mapped_walk page_vma_walk(page* p, vm_area_struct* vma, unsigned long address, unsigned flags) {
    struct page_vma_mapped_walk pvmw;
    pvmw.pfn = page_to_pfn(p);
    pvmw.nr_pages = 1;
    pvmw.pgoff = p->index;
    pvmw.vma = vma;
    pvmw.address = address;
    pvmw.flags = flags;
    return pvmw;
}

struct page_vma_mapped_walk folio_vma_walk(page* folio, vm_area_struct* vma, unsigned long address, unsigned flags) {
    struct page_vma_mapped_walk pvmw = page_vma_walk(folio, vma, address, flags);
    pvmw.nr_pages = 1ul << folio->order;
    return pvmw;
}

void page_vma_mapped_walk_done(struct page_vma_mapped_walk* pvmw) {
    if (pvmw->pte.table) v6_5::pte_unmap(pvmw->pte);
    if (pvmw->ptl) spin_unlock(pvmw->ptl);
}

namespace {

bool not_found(struct page_vma_mapped_walk* pvmw) {
    page_vma_mapped_walk_done(pvmw);
    return false;
}

// map_pte() — mm/page_vma_mapped.c v6.6. Returns the ptl of the table even
// when it does not lock, in case *pmd changes and a later pte matches.
bool map_pte(struct page_vma_mapped_walk* pvmw, spinlock_t** ptlp) {
    mm_struct* mm = pvmw->vma->vm_mm;
    if (pvmw->flags & PVMW_SYNC) {
        /* Use the stricter lookup */
        pvmw->pte = v6_5::pte_offset_map_lock(mm, pvmw->pmd, pvmw->address, &pvmw->ptl);
        *ptlp = pvmw->ptl;
        return pvmw->pte.table != nullptr;
    }
    pvmw->pte = v6_5::pte_offset_map_nolock(mm, pvmw->pmd, pvmw->address, ptlp);
    if (!pvmw->pte.table) return false;
    const pte_t ptent = ptep_get(pvmw->pte);
    if (pvmw->flags & PVMW_MIGRATION) {
        if (!is_swap_pte(ptent)) return false;
    } else if (is_swap_pte(ptent)) {
        return false;  // only device-private/exclusive entries would do: none here
    } else if (!pte_present(ptent)) {
        return false;
    }
    pvmw->ptl = *ptlp;
    spin_lock(pvmw->ptl);
    return true;
}

// check_pte() — mm/page_vma_mapped.c v6.6: does the (locked) pte map a page
// of the folio?
bool check_pte(struct page_vma_mapped_walk* pvmw) {
    const pte_t ptent = ptep_get(pvmw->pte);
    if ((pvmw->flags & PVMW_MIGRATION) || !pte_present(ptent)) return false;  // no swap entries here
    return pte_pfn(ptent) - pvmw->pfn < pvmw->nr_pages;
}

// check_pmd() — mm/page_vma_mapped.c v6.6: do the two pfn ranges overlap?
bool check_pmd(unsigned long pfn, const struct page_vma_mapped_walk* pvmw) {
    if (pfn + HPAGE_PMD_NR - 1 < pvmw->pfn) return false;
    if (pfn > pvmw->pfn + pvmw->nr_pages - 1) return false;
    return true;
}

void step_forward(struct page_vma_mapped_walk* pvmw, unsigned long size) {
    pvmw->address = (pvmw->address + size) & ~(size - 1);
    if (!pvmw->address) pvmw->address = ~0ul;
}

// vma_address_end() — mm/internal.h v6.6.
unsigned long vma_address_end(const struct page_vma_mapped_walk* pvmw) {
    const vm_area_struct* vma = pvmw->vma;
    /* Common case, plus ->pgoff is invalid for KSM */
    if (pvmw->nr_pages == 1) return pvmw->address + PAGE_SIZE;
    const unsigned long pgoff = pvmw->pgoff + pvmw->nr_pages;
    const unsigned long address = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
    /* Check for address beyond vma (or wrapped through 0?) */
    return address < vma->vm_start || address > vma->vm_end ? vma->vm_end : address;
}

enum class pmd_step { found, not_found, pte_level, skip };

// page_vma_mapped_walk()'s pmd level: a huge pmd is decided under its lock; a
// pmd split meanwhile goes on at the pte level.
pmd_step walk_pmd(struct page_vma_mapped_walk* pvmw) {
    mm_struct* mm = pvmw->vma->vm_mm;
    // Make sure the pmd value isn't cached in a register by the compiler and
    // used as a stale value after we've observed a subsequent update.
    pmd_t pmde = pmdp_get_lockless(pvmw->pmd);
    if (pmd_trans_huge(pmde) || is_pmd_migration_entry(pmde) || (pmd_present(pmde) && pmd_devmap(pmde))) {
        pvmw->ptl = pmd_lock(mm, pvmw->pmd);
        pmde = deref(pvmw->pmd);
        if (!pmd_present(pmde)) {
            if (!(pvmw->flags & PVMW_MIGRATION)) return pmd_step::not_found;  // thp_migration_supported()
            const swp_entry_t entry = pmd_to_swp_entry(pmde);
            if (!is_migration_entry(entry) || !check_pmd(swp_offset_pfn(entry), pvmw)) return pmd_step::not_found;
            return pmd_step::found;
        }
        if (pmd_trans_huge(pmde) || pmd_devmap(pmde)) {
            if (pvmw->flags & PVMW_MIGRATION) return pmd_step::not_found;
            return check_pmd(pmd_pfn(pmde), pvmw) ? pmd_step::found : pmd_step::not_found;
        }
        /* THP pmd was split under us: handle on pte level */
        spin_unlock(pvmw->ptl);
        pvmw->ptl = nullptr;
    } else if (!pmd_present(pmde)) {
        // With PVMW_SYNC, take and drop the pmd lock so as not to return before
        // zap_huge_pmd() has both cleared *pmd and dropped the mapcount.
        if ((pvmw->flags & PVMW_SYNC) && pvmw->nr_pages >= HPAGE_PMD_NR) spin_unlock(pmd_lock(mm, pvmw->pmd));
        return pmd_step::skip;
    }
    return pmd_step::pte_level;
}

// The pgd and pud levels: the pmd slot for pvmw->address, else step over the hole.
bool find_pmd_slot(struct page_vma_mapped_walk* pvmw) {
    const pgdp_t pgd = pgd_offset(pvmw->vma->vm_mm, pvmw->address);
    if (pgd_val(deref(pgd)) == 0) {  // !pgd_present(); p4d folded
        step_forward(pvmw, 1ul << PGDIR_SHIFT);  // PGDIR_SIZE
        return false;
    }
    const pudp_t pud = pud_offset(pgd, pvmw->address);
    if (!pud_present(deref(pud))) {
        step_forward(pvmw, PUD_SIZE);
        return false;
    }
    pvmw->pmd = pmd_offset(pud, pvmw->address);
    return true;
}

// next_pte: the next non-none pte of the same table; false at the end of the
// range (released) or of the table (pvmw->pte cleared: restart above).
bool next_pte(struct page_vma_mapped_walk* pvmw, unsigned long end, bool* ended) {
    do {
        pvmw->address += PAGE_SIZE;
        if (pvmw->address >= end) {
            *ended = true;
            return not_found(pvmw);
        }
        /* Did we cross page table boundary? */
        if ((pvmw->address & (PMD_SIZE - PAGE_SIZE)) == 0) {
            if (pvmw->ptl) {
                spin_unlock(pvmw->ptl);
                pvmw->ptl = nullptr;
            }
            v6_5::pte_unmap(pvmw->pte);
            pvmw->pte = {};
            return false;
        }
        ++pvmw->pte.index;
    } while (pte_none(ptep_get(pvmw->pte)));
    return true;
}

}  // namespace

// page_vma_mapped_walk() — mm/page_vma_mapped.c v6.6 (the kernel's labels:
// restart is the outer loop, this_pte/next_pte the inner one).
bool page_vma_mapped_walk(struct page_vma_mapped_walk* pvmw) {
    /* The only possible pmd mapping has been handled on last iteration */
    if (pvmw->pmd.table && !pvmw->pte.table) return not_found(pvmw);
    const unsigned long end = vma_address_end(pvmw);
    spinlock_t* ptl = pvmw->ptl;
    bool in_table = pvmw->pte.table != nullptr;  // goto next_pte
    while (in_table || pvmw->address < end) {
        if (!in_table) {  // restart:
            if (!find_pmd_slot(pvmw)) continue;
            switch (walk_pmd(pvmw)) {
            case pmd_step::found: return true;
            case pmd_step::not_found: return not_found(pvmw);
            case pmd_step::skip: step_forward(pvmw, PMD_SIZE); continue;
            case pmd_step::pte_level: break;
            }
            if (!map_pte(pvmw, &ptl)) {
                if (!pvmw->pte.table) continue;  // goto restart
            } else if (check_pte(pvmw)) {
                return true;
            }
        }
        bool ended = false;
        in_table = next_pte(pvmw, end, &ended);
        if (ended) return false;
        if (!in_table) continue;  // crossed into the next table: restart
        if (!pvmw->ptl) {
            pvmw->ptl = ptl;
            spin_lock(pvmw->ptl);
        }
        if (check_pte(pvmw)) return true;  // this_pte:
    }
    return false;
}

}  // namespace mm
MMCHECK_ENGINE_END
