// End-of-execution check that the page tables map nothing outside the mm's
// VMAs: an entry left in a range munmap() removed is memory the process can
// still reach, which the kernel's exit path would never free either.
#include <cstdio>
#include <string>

#include "model/mm/mm_check.h"
#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

namespace {

bool covered(mm_struct* mm, unsigned long addr) {
    vm_area_struct* vma = find_vma(mm, addr);
    return vma != nullptr && vma->vm_start <= addr;
}

void check_mapped(mm_struct* mm, unsigned long addr, const char* level) {
    if (covered(mm, addr)) return;
    char where[32];
    std::snprintf(where, sizeof where, "%#lx", addr);
    kernel::report_violation(kernel::violation_kind::accounting,
                             std::string("a ") + level + " entry maps " + where + ", which no VMA covers");
}

}  // namespace

void check_no_mapping_outside_vmas(mm_struct* mm) {
    for (unsigned g = 0; g < PTRS_PER_PGD; ++g) {
        const pgd_t pgd = deref(pgdp_t{mm->pgd, g, mm->pgd->generation});
        if (pgd_val(pgd) == 0) continue;
        page* pud_table = pfn_to_page(mm->memory, (pgd_val(pgd) & PTE_PFN_MASK) >> PAGE_SHIFT);
        for (unsigned u = 0; u < PTRS_PER_PUD; ++u) {
            const unsigned long pud_addr = (static_cast<unsigned long>(g) << PGDIR_SHIFT) | (u << PUD_SHIFT);
            const pud_t pud = deref(pudp_t{pud_table, u, pud_table->generation});
            if (pud_none(pud)) continue;
            if (pud_leaf(pud) || !pud_present(pud)) {
                check_mapped(mm, pud_addr, "pud");
                continue;
            }
            page* pmd_table = pfn_to_page(mm->memory, pud_pfn(pud));
            for (unsigned m = 0; m < PTRS_PER_PMD; ++m) {
                const unsigned long pmd_addr = pud_addr | (m << PMD_SHIFT);
                const pmd_t pmd = deref(pmdp_t{pmd_table, m, pmd_table->generation});
                if (pmd_none(pmd)) continue;
                if (pmd_leaf(pmd) || !pmd_present(pmd)) {
                    check_mapped(mm, pmd_addr, "pmd");
                    continue;
                }
                page* pte_table = pfn_to_page(mm->memory, pmd_pfn(pmd));
                for (unsigned t = 0; t < PTRS_PER_PTE; ++t) {
                    const pte_t pte = deref(ptep_t{pte_table, t, pte_table->generation});
                    if (!pte_none(pte)) check_mapped(mm, pmd_addr | (t << PAGE_SHIFT), "pte");
                }
            }
        }
    }
}

}  // namespace mm
MMCHECK_ENGINE_END
