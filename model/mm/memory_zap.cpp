// Tearing user mappings down, the mm/memory.c half: the zap walk
// (zap_page_range() -> unmap_page_range() -> zap_p4d/pud/pmd/pte_range()),
// free_pgtables(), and the mmu_gather they share (mm/mmu_gather.c), v5.4.
//
// Simplifications, stated once here: the mmu_gather batches pages and tables
// without a size limit and the model has no TLB, so a "flush" only marks the
// point after which gathered pages and tables may be freed; mmu notifiers,
// rss counters, zap_details (truncation) and swap entries are left out. The
// huge zaps (zap_huge_pmd(), zap_huge_pud()) take no mmu_gather in the model,
// so the range they clear is added to the gather by their caller.
#include <algorithm>

#include "model/mm/huge_memory.h"
#include "model/mm/memory.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

// tlb_gather_mmu() — mm/mmu_gather.c v5.4: a full-mm gather when the range is everything.
void tlb_gather_mmu(mmu_gather* tlb, mm_struct* mm, unsigned long start, unsigned long end) {
    tlb->mm = mm;
    tlb->fullmm = !(start | (end + 1));
    tlb->start = TASK_SIZE;  // __tlb_reset_range()
    tlb->end = 0;
    tlb->pages.clear();
    tlb->tables.clear();
}

namespace {

// tlb_remove_table_one_rcu() — mm/mmu_gather.c (CONFIG_MMU_GATHER_RCU_TABLE_FREE):
// the grace period is over, so no interrupts-off walker (GUP-fast) still sees the table.
void tlb_remove_table_one_rcu(rcu_head* head) { __free_pages(page_of_rcu_head(head)); }

// tlb_table_flush() — mm/mmu_gather.c v5.4, CONFIG_HAVE_RCU_TABLE_FREE (what arm64
// and x86 with paravirt flushes select): the gathered tables are freed after an RCU
// grace period, because the TLB flush before it waits for no walker (see gup.h).
// Simplification: each table goes through its own page's rcu_head, the kernel's
// fallback when no batch page can be allocated (tlb_remove_table_one_rcu()), instead
// of one mmu_table_batch per flush; no separate page-walk-cache invalidation.
void tlb_table_flush(mmu_gather* tlb) {
    for (page* table : tlb->tables) {
        if (tlb->mm->variants.table_free == tlb_table_free::rcu_table_free)
            call_rcu(&table->rcu, &tlb_remove_table_one_rcu);
        else
            __free_pages(table);
    }
    tlb->tables.clear();
}

}  // namespace

// tlb_flush_mmu() — mm/mmu_gather.c v5.4: flush (tlb_flush_mmu_tlbonly()), then
// tlb_flush_mmu_free(): the tables (tlb_table_flush()), then the pages.
void tlb_flush_mmu(mmu_gather* tlb) {
    smp_mb();  // stands for the flush: every CPU has stopped using the old entries
    tlb->start = TASK_SIZE;
    tlb->end = 0;
    tlb_table_flush(tlb);
    for (page* p : tlb->pages) put_page(p);
    tlb->pages.clear();
}

// tlb_finish_mmu() — mm/mmu_gather.c v5.4, without the nested-flush check.
void tlb_finish_mmu(mmu_gather* tlb, unsigned long, unsigned long) { tlb_flush_mmu(tlb); }

namespace {

template <class Handle>
Handle next_slot(Handle h) { return Handle{h.table, h.index + 1, h.generation}; }

// __tlb_adjust_range() — include/asm-generic/tlb.h v5.4.
void __tlb_adjust_range(mmu_gather* tlb, unsigned long address, unsigned long range_size) {
    tlb->start = std::min(tlb->start, address);
    tlb->end = std::max(tlb->end, address + range_size);
}

// pud_none_or_clear_bad() / pmd_none_or_clear_bad() — include/asm-generic/pgtable.h
// v5.4; pXd_clear_bad() prints "bad pXd" and clears it: a finding in the model.
bool pud_none_or_clear_bad(pudp_t pud) {
    const pud_t val = deref(pud);
    if (pud_none(val)) return true;
    if (pud_bad(val)) report_violation(violation_kind::assertion, "pud_bad() in pud_none_or_clear_bad: pud_clear_bad");
    return false;
}
bool pmd_none_or_clear_bad(pmdp_t pmd) {
    const pmd_t val = deref(pmd);
    if (pmd_none(val)) return true;
    if (pmd_bad(val)) report_violation(violation_kind::assertion, "pmd_bad() in pmd_none_or_clear_bad: pmd_clear_bad");
    return false;
}

// zap_pte_range()'s device-private branch — mm/memory.c v6.6: the entry
// holds a mapping and a reference of its page, dropped at once (not gathered:
// the CPU never had a TLB entry for it); rss counters left out.
void zap_device_private_pte(vm_area_struct* vma, ptep_t pte, unsigned long addr, swp_entry_t entry) {
    page* page = pfn_swap_entry_to_page(vma->vm_mm->memory, entry);
    VM_BUG_ON(!vma_is_anonymous(vma), "WARN_ON_ONCE(!vma_is_anonymous(vma))");
    page_remove_rmap(page, vma, false);
    put_page(page);
    ptep_get_and_clear(vma->vm_mm, addr, pte);  // pte_clear_not_present_full()
}

// zap_pte_range() — mm/memory.c v5.4 for present ptes, v6.6's branch for
// device-private entries (other swap entries are left in place); the pre-6.5
// pte_offset_map_lock(): the caller checked the pmd is a table.
unsigned long zap_pte_range(mmu_gather* tlb, vm_area_struct* vma, pmdp_t pmd, unsigned long addr,
                            unsigned long end) {
    mm_struct* mm = tlb->mm;
    spinlock_t* ptl = nullptr;
    const ptep_t start_pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
    ptep_t pte = start_pte;
    do {
        const pte_t ptent = deref(pte);
        if (pte_none(ptent)) continue;
        if (!pte_present(ptent)) {
            const swp_entry_t entry = pte_to_swp_entry(ptent);
            if (is_device_private_entry(entry)) zap_device_private_pte(vma, pte, addr, entry);
            continue;
        }
        page* p = vm_normal_page(vma, addr, ptent);
        ptep_get_and_clear(mm, addr, pte);  // ptep_get_and_clear_full()
        __tlb_adjust_range(tlb, addr, PAGE_SIZE);  // tlb_remove_tlb_entry()
        if (!p) continue;
        page_remove_rmap(p, vma, false);
        tlb->pages.push_back(p);  // __tlb_remove_page(): freed after the flush
    } while (pte = next_slot(pte), addr += PAGE_SIZE, addr != end);
    pte_unmap_unlock(start_pte, ptl);
    return addr;
}

// zap_pmd_range() — mm/memory.c v5.4.
unsigned long zap_pmd_range(mmu_gather* tlb, vm_area_struct* vma, pudp_t pud, unsigned long addr,
                            unsigned long end) {
    unsigned long next;
    pmdp_t pmd = pmd_offset(pud, addr);
    do {
        next = pmd_addr_end(addr, end);
        const pmd_t val = deref(pmd);
        if ((!pmd_none(val) && !pmd_present(val)) || pmd_trans_huge(val) || pmd_devmap(val)) {
            if (next - addr != PMD_SIZE) {
                __split_huge_pmd(vma, pmd, addr, false, nullptr);
            } else if (zap_huge_pmd(vma, pmd, addr)) {
                __tlb_adjust_range(tlb, addr, PMD_SIZE);  // tlb_remove_pmd_tlb_entry()
                continue;
            }
            /* fall through */
        }
        // Here there can be other concurrent MADV_DONTNEED or trans huge page
        // faults running, and if the pmd is none or trans huge it can change
        // under us. This is because MADV_DONTNEED holds the mmap_sem in read mode.
        if (pmd_trans_unstable(pmd)) continue;  // pmd_none_or_trans_huge_or_clear_bad()
        next = zap_pte_range(tlb, vma, pmd, addr, next);
    } while (pmd = next_slot(pmd), addr = next, addr != end);
    return addr;
}

// zap_pud_range() — mm/memory.c v5.4.
unsigned long zap_pud_range(mmu_gather* tlb, vm_area_struct* vma, pgdp_t p4d, unsigned long addr,
                            unsigned long end) {
    unsigned long next;
    pudp_t pud = pud_offset(p4d, addr);
    do {
        next = pud_addr_end(addr, end);
        const pud_t val = deref(pud);
        if (pud_trans_huge(val) || pud_devmap(val)) {
            if (next - addr != PUD_SIZE) {
                split_huge_pud(vma, pud, addr);
            } else if (zap_huge_pud(vma, pud, addr)) {
                __tlb_adjust_range(tlb, addr, PUD_SIZE);  // tlb_remove_pud_tlb_entry()
                continue;
            }
            /* fall through */
        }
        if (pud_none_or_clear_bad(pud)) continue;
        next = zap_pmd_range(tlb, vma, pud, addr, next);
    } while (pud = next_slot(pud), addr = next, addr != end);
    return addr;
}

// zap_p4d_range() — p4d folded: p4d_none_or_clear_bad() is never true.
unsigned long zap_p4d_range(mmu_gather* tlb, vm_area_struct* vma, pgdp_t pgd, unsigned long addr,
                            unsigned long end) {
    return zap_pud_range(tlb, vma, pgd, addr, end);
}

// unmap_page_range() — mm/memory.c v5.4.
void unmap_page_range(mmu_gather* tlb, vm_area_struct* vma, unsigned long addr, unsigned long end) {
    VM_BUG_ON(addr >= end, "BUG_ON(addr >= end) in unmap_page_range");
    unsigned long next;
    pgdp_t pgd = pgd_offset(vma->vm_mm, addr);
    do {
        next = pgd_addr_end(addr, end);
        if (pgd_val(deref(pgd)) == 0) continue;  // pgd_none_or_clear_bad()
        next = zap_p4d_range(tlb, vma, pgd, addr, next);
    } while (pgd = next_slot(pgd), addr = next, addr != end);
}

// unmap_single_vma() — mm/memory.c v5.4 (no uprobes, PFN tracking or hugetlb).
void unmap_single_vma(mmu_gather* tlb, vm_area_struct* vma, unsigned long start_addr, unsigned long end_addr) {
    const unsigned long start = std::max(vma->vm_start, start_addr);
    if (start >= vma->vm_end) return;
    const unsigned long end = std::min(vma->vm_end, end_addr);
    if (end <= vma->vm_start) return;
    if (start != end) unmap_page_range(tlb, vma, start, end);
}

// free_pte_range() — mm/memory.c v5.4: the pte table goes after the TLB flush (pte_free_tlb()).
void free_pte_range(mmu_gather* tlb, pmdp_t pmd, unsigned long) {
    page* token = pfn_to_page(tlb->mm->memory, pmd_pfn(deref(pmd)));  // pmd_pgtable(*pmd)
    pmd_clear(pmd);
    tlb->tables.push_back(token);
    mm_dec_nr_ptes(tlb->mm);
}

// free_pmd_range() — mm/memory.c v5.4: the pmd table only if [floor, ceiling)
// covers all of the pud entry's range, so that no neighbouring VMA still uses it.
void free_pmd_range(mmu_gather* tlb, pudp_t pud, unsigned long addr, unsigned long end, unsigned long floor,
                    unsigned long ceiling) {
    const unsigned long start_addr = addr;
    unsigned long next;
    pmdp_t pmd = pmd_offset(pud, addr);
    do {
        next = pmd_addr_end(addr, end);
        if (pmd_none_or_clear_bad(pmd)) continue;
        free_pte_range(tlb, pmd, addr);
    } while (pmd = next_slot(pmd), addr = next, addr != end);
    const unsigned long start = start_addr & PUD_MASK;
    if (start < floor) return;
    if (ceiling) {
        ceiling &= PUD_MASK;
        if (!ceiling) return;
    }
    if (end - 1 > ceiling - 1) return;
    pmd = pmd_offset(pud, start);
    pud_clear(pud);
    tlb->tables.push_back(pmd.table);  // pmd_free_tlb()
    mm_dec_nr_pmds(tlb->mm);
}

// free_pud_range() — mm/memory.c v5.4 with p4d folded: p4d_clear() clears the
// pgd entry and the pud table goes (P4D_MASK is PGDIR_MASK).
void free_pud_range(mmu_gather* tlb, pgdp_t p4d, unsigned long addr, unsigned long end, unsigned long floor,
                    unsigned long ceiling) {
    const unsigned long start_addr = addr;
    unsigned long next;
    pudp_t pud = pud_offset(p4d, addr);
    do {
        next = pud_addr_end(addr, end);
        if (pud_none_or_clear_bad(pud)) continue;
        free_pmd_range(tlb, pud, addr, next, floor, ceiling);
    } while (pud = next_slot(pud), addr = next, addr != end);
    const unsigned long pgdir_mask = ~((1ul << PGDIR_SHIFT) - 1);
    const unsigned long start = start_addr & pgdir_mask;
    if (start < floor) return;
    if (ceiling) {
        ceiling &= pgdir_mask;
        if (!ceiling) return;
    }
    if (end - 1 > ceiling - 1) return;
    pud = pud_offset(p4d, start);
    pgd_clear(p4d);  // p4d_clear()
    tlb->tables.push_back(pud.table);  // pud_free_tlb(); mm_dec_nr_puds() is not counted in the model
}

// free_pgd_range() — mm/memory.c v5.4; free_p4d_range() is folded away (its
// pgd_clear() is a no-op when p4d is folded).
void free_pgd_range(mmu_gather* tlb, unsigned long addr, unsigned long end, unsigned long floor,
                    unsigned long ceiling) {
    addr &= PMD_MASK;
    if (addr < floor) {
        addr += PMD_SIZE;
        if (!addr) return;
    }
    if (ceiling) {
        ceiling &= PMD_MASK;
        if (!ceiling) return;
    }
    if (end - 1 > ceiling - 1) end -= PMD_SIZE;
    if (addr > end - 1) return;
    unsigned long next;
    pgdp_t pgd = pgd_offset(tlb->mm, addr);
    do {
        next = pgd_addr_end(addr, end);
        if (pgd_val(deref(pgd)) == 0) continue;  // pgd_none_or_clear_bad()
        free_pud_range(tlb, pgd, addr, next, floor, ceiling);
    } while (pgd = next_slot(pgd), addr = next, addr != end);
}

}  // namespace

// free_pgtables() — mm/memory.c v5.4: unlink each VMA from rmap first (so that
// no rmap walker or walk_page_mapping() can reach the tables), then free the
// tables of runs of nearby VMAs in one call. Anonymous VMAs have no anon_vma in
// the model, so unlink_anon_vmas() is left out.
void free_pgtables(mmu_gather* tlb, const std::vector<vm_area_struct*>& vmas, unsigned long floor,
                   unsigned long ceiling) {
    std::size_t i = 0;
    while (i < vmas.size()) {
        vm_area_struct* vma = vmas[i];
        const unsigned long addr = vma->vm_start;
        unlink_file_vma(vma);
        // Optimization: gather nearby vmas into one call down.
        while (i + 1 < vmas.size() && vmas[i + 1]->vm_start <= vma->vm_end + PMD_SIZE) {
            vma = vmas[++i];
            unlink_file_vma(vma);
        }
        ++i;
        free_pgd_range(tlb, addr, vma->vm_end, floor, i < vmas.size() ? vmas[i]->vm_start : ceiling);
    }
}

// unmap_vmas() — mm/memory.c v5.4.
void unmap_vmas(mmu_gather* tlb, const std::vector<vm_area_struct*>& vmas, unsigned long start_addr,
                unsigned long end_addr) {
    for (vm_area_struct* vma : vmas) {
        if (vma->vm_start >= end_addr) break;
        unmap_single_vma(tlb, vma, start_addr, end_addr);
    }
}

// zap_page_range() — mm/memory.c v5.4: MADV_DONTNEED's zap, under mmap_lock for
// read, of the VMAs from `vma` on that meet [start, start + size).
void zap_page_range(vm_area_struct* vma, unsigned long start, unsigned long size) {
    mm_struct* mm = vma->vm_mm;
    const unsigned long end = start + size;
    mmu_gather tlb;
    tlb_gather_mmu(&tlb, mm, start, end);
    const auto first = std::find(mm->vmas.begin(), mm->vmas.end(), vma);
    for (auto it = first; it != mm->vmas.end() && (*it)->vm_start < end; ++it)
        unmap_single_vma(&tlb, *it, start, end);
    tlb_finish_mmu(&tlb, start, end);
}

}  // namespace mm
MMCHECK_ENGINE_END
