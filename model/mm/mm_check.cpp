#include "model/mm/mm_check.h"

#include <string>
#include <vector>

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

namespace {

using kernel::violation_kind;

struct table_census {
    std::vector<int> seen;  // per pfn: how many entries name it as a table
    long bytes = 0;         // pgtables_bytes the reachable pmd and pte tables account for
};

void note_table(table_census& census, const page* table, page_use expected) {
    if (table->use != expected)
        kernel::report_violation(violation_kind::accounting,
                                 "entry names pfn " + std::to_string(table->pfn) + " as a " +
                                     std::string(page_use_name(expected)) + " but it is " +
                                     std::string(page_use_name(table->use)));
    if (++census.seen[table->pfn] > 1)
        kernel::report_violation(violation_kind::accounting,
                                 "table pfn " + std::to_string(table->pfn) + " is reachable twice");
}

void walk_pmd_table(table_census& census, mm_struct* mm, page* pmd_table) {
    for (unsigned i = 0; i < PTRS_PER_PMD; ++i) {
        const pmd_t pmd = deref(pmdp_t{pmd_table, i, pmd_table->generation});
        if (pmd_none(pmd) || pmd_leaf(pmd) || !pmd_present(pmd)) continue;
        page* pte_table = pfn_to_page(mm->memory, pmd_pfn(pmd));
        note_table(census, pte_table, page_use::pte_table);
        census.bytes += PTRS_PER_PTE * sizeof(pte_t);
    }
    // Tables deposited for huge pmds (pgtable_trans_huge_deposit()) are reachable
    // through the pmd table and accounted in nr_ptes, as the kernel does.
    for (page* deposited = pmd_table->pmd_huge_pte.read(); deposited != nullptr;
         deposited = deposited->pgtable_lru.read()) {
        note_table(census, deposited, page_use::pte_table);
        census.bytes += PTRS_PER_PTE * sizeof(pte_t);
    }
}

// One mm's tables into the census; the pgtables_bytes they account for must
// be what the mm counts.
void census_of_tables_of_mm(table_census& census, mm_struct* mm) {
    census.bytes = 0;
    note_table(census, mm->pgd, page_use::pgd_table);
    for (unsigned g = 0; g < PTRS_PER_PGD; ++g) {
        const pgd_t pgd = deref(pgdp_t{mm->pgd, g, mm->pgd->generation});
        if (pgd_val(pgd) == 0) continue;
        page* pud_table = pfn_to_page(mm->memory, (pgd_val(pgd) & PTE_PFN_MASK) >> PAGE_SHIFT);
        note_table(census, pud_table, page_use::pud_table);
        for (unsigned u = 0; u < PTRS_PER_PUD; ++u) {
            const pud_t pud = deref(pudp_t{pud_table, u, pud_table->generation});
            if (pud_none(pud) || pud_leaf(pud) || !pud_present(pud)) continue;
            page* pmd_table = pfn_to_page(mm->memory, pud_pfn(pud));
            note_table(census, pmd_table, page_use::pmd_table);
            census.bytes += PTRS_PER_PMD * sizeof(pmd_t);
            walk_pmd_table(census, mm, pmd_table);
        }
    }
    const long accounted = kernel::atomic_long_read(mm->pgtables_bytes);
    if (accounted != census.bytes)
        kernel::report_violation(violation_kind::accounting,
                                 "mm->pgtables_bytes is " + std::to_string(accounted) + " but the reachable tables need " +
                                     std::to_string(census.bytes));
}

}  // namespace

void check_page_tables(mm_struct* mm) { check_page_tables(std::vector<mm_struct*>{mm}); }

void check_page_tables(const std::vector<mm_struct*>& mms) {
    mem_map& memory = mms.front()->memory;
    table_census census;
    census.seen.assign(memory.nr_pages, 0);
    for (mm_struct* mm : mms) census_of_tables_of_mm(census, mm);
    for (unsigned long pfn = 0; pfn < memory.nr_pages; ++pfn) {
        const page_use use = memory.pages[pfn]->use;
        const bool is_table = use == page_use::pud_table || use == page_use::pmd_table || use == page_use::pte_table;
        if (is_table && census.seen[pfn] == 0)
            kernel::report_violation(violation_kind::accounting,
                                     "leaked " + std::string(page_use_name(use)) + " pfn " + std::to_string(pfn) +
                                         ": allocated but reachable from no entry");
    }
}

}  // namespace mm
MMCHECK_ENGINE_END
