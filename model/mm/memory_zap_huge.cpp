// The zap walk as MADV_DONTNEED runs it: zap_page_range_single() ->
// zap_pud_range() -> zap_pmd_range() -> zap_huge_pmd() or zap_pte_range(),
// mm/memory.c v6.6.
//
// Reduced to private anonymous VMAs: no swap entries (device-private ones
// are zapped, model/mm/memremap.h), no
// zap_details; the mmu_gather is left out, so pages are released right after
// their pte is cleared under the lock instead of after the TLB flush. Tables
// are never freed here, as in the kernel (only free_pgtables() frees them).
#include "model/mm/memory_zap_huge.h"

#include <algorithm>

#include "model/mm/huge_memory.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// zap_pte_range() — mm/memory.c v6.6 (present anonymous ptes, the zero page
// and device-private entries; other swap entries stay).
unsigned long zap_pte_range(vm_area_struct* vma, pmdp_t pmd, unsigned long addr, unsigned long end) {
    mm_struct* mm = vma->vm_mm;
    spinlock_t* ptl = nullptr;
    const ptep_t start_pte = v6_5::pte_offset_map_lock(mm, pmd, addr, &ptl);
    if (!start_pte.table) return addr;
    for (; addr != end; addr += PAGE_SIZE) {
        const ptep_t pte{start_pte.table, pte_index(addr), start_pte.generation};
        const pte_t ptent = ptep_get(pte);
        if (pte_none(ptent)) continue;
        if (!pte_present(ptent)) {
            const swp_entry_t entry = pte_to_swp_entry(ptent);
            if (!is_device_private_entry(entry)) continue;
            // The entry's mapping and reference are dropped at once (no TLB
            // entry to flush first); rss counters left out.
            page* device_page = pfn_swap_entry_to_page(mm->memory, entry);
            page_remove_rmap(device_page, vma, false);
            put_page(device_page);
            ptep_get_and_clear(mm, addr, pte);  // pte_clear_not_present_full()
            continue;
        }
        page* p = vm_normal_page(vma, addr, ptent);
        ptep_get_and_clear(mm, addr, pte);  // ptep_get_and_clear_full()
        if (!p) continue;
        page_remove_rmap(p, vma, false);
        put_page(p);  // tlb_remove_page(), released at once
    }
    v6_5::pte_unmap_unlock(start_pte, ptl);
    return addr;
}

// zap_pmd_range() — mm/memory.c v6.6: a huge pmd wholly inside the range is
// zapped whole, one partly inside is split first.
void zap_pmd_range(vm_area_struct* vma, pudp_t pud, unsigned long addr, unsigned long end) {
    while (addr != end) {
        const pmdp_t pmd = pmd_offset(pud, addr);
        const unsigned long next = pmd_addr_end(addr, end);
        const pmd_t val = deref(pmd);
        if ((!pmd_none(val) && !pmd_present(val)) || pmd_trans_huge(val) || pmd_devmap(val)) {
            if (next - addr != PMD_SIZE) {
                __split_huge_pmd(vma, pmd, addr, false, nullptr);
            } else if (zap_huge_pmd(vma, pmd, addr)) {
                addr = next;
                continue;
            }
            /* fall through */
        }
        if (pmd_none(deref(pmd))) {
            addr = next;
            continue;
        }
        // A pmd that stopped being a table is retried (pmd--), as in the kernel.
        addr = zap_pte_range(vma, pmd, addr, next);
    }
}

// zap_page_range_single() -> unmap_single_vma() -> zap_pud_range(), v6.6, p4d folded.
void zap_page_range_single(vm_area_struct* vma, unsigned long address, unsigned long size) {
    mm_struct* mm = vma->vm_mm;
    const unsigned long end = address + size;
    unsigned long addr = address;
    while (addr < end) {
        const unsigned long next = std::min(end, (addr + PUD_SIZE) & PUD_MASK);
        const pgdp_t pgd = pgd_offset(mm, addr);
        if (pgd_val(deref(pgd)) != 0) {
            const pudp_t pud = pud_offset(pgd, addr);
            const pud_t pudval = deref(pud);
            if (!pud_none(pudval) && !pud_bad(pudval)) zap_pmd_range(vma, pud, addr, next);
        }
        addr = next;
    }
}

}  // namespace

long madvise_dontneed_single_vma(vm_area_struct* vma, unsigned long start, unsigned long end) {
    zap_page_range_single(vma, start, end - start);
    return 0;
}

}  // namespace mm
MMCHECK_ENGINE_END
