// See rmap.h: mm/rmap.c, include/linux/mm.h, v6.6.
#include "model/mm/rmap.h"

#include <string>
#include <vector>

#include "model/mm/memremap.h"
#include "model/mm/pgtable.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

page* vma_alloc_folio(vm_area_struct* vma, unsigned order) {
    page* folio = alloc_pages(vma->vm_mm->memory, page_use::anon, order);
    if (!folio) return nullptr;
    // The allocator hands out pages with these counts (prep_new_page()).
    atomic_set(folio->_refcount, 1);
    atomic_set(folio->_entire_mapcount, -1);
    for (unsigned long i = 0; i < (1ul << order); ++i) {
        page* p = pfn_to_page(vma->vm_mm->memory, folio->pfn + i);
        atomic_set(p->_mapcount, -1);
        ClearPageAnonExclusive(p);
        p->ksm = false;  // a new folio's mapping is NULL until its first rmap
    }
    return folio;
}

void get_page(page* p) { atomic_inc(compound_head(p)->_refcount); }

void page_ref_add(page* p, int nr) { atomic_add_return(nr, compound_head(p)->_refcount); }

bool get_page_unless_zero(page* p) { return atomic_inc_not_zero(compound_head(p)->_refcount); }

long page_count(page* p) { return atomic_read(compound_head(p)->_refcount); }

namespace {
// free_pages_check(): a page freed while something still maps it.
void check_unmapped_on_free(page* head) {
    const unsigned long nr = 1ul << head->order;
    bool mapped = atomic_read(head->_entire_mapcount) != -1;
    for (unsigned long i = 0; i < nr; ++i)
        mapped |= atomic_read(pfn_to_page(*head->memory, head->pfn + i)->_mapcount) != -1;
    if (mapped)
        report_violation(violation_kind::accounting,
                         "folio pfn " + std::to_string(head->pfn) + " freed while still mapped (Bad page state)");
}
}  // namespace

// put_page()/folio_put() — include/linux/mm.h v6.6; __folio_put() gives a
// zone-device page back to its driver (free_zone_device_page(), memremap.h).
void put_page(page* p) {
    page* head = compound_head(p);
    const long left = atomic_add_return(-1, head->_refcount);
    if (left < 0) report_violation(violation_kind::accounting, "refcount of pfn " + std::to_string(head->pfn) + " below 0");
    if (left != 0) return;
    check_unmapped_on_free(head);
    if (is_zone_device_page(head)) return free_zone_device_page(head);
    __free_pages(head, head->order);
}

// folio_add_new_anon_rmap() — mm/rmap.c v6.6: the first mapping of a new folio;
// __page_set_anon_rmap() gives it its index (linear_page_index()), on every
// subpage in the model (page.h). The anon_vma it also sets is not modeled.
void page_add_new_anon_rmap(page* p, vm_area_struct* vma, unsigned long address) {
    VM_BUG_ON(address < vma->vm_start || address >= vma->vm_end, "VM_BUG_ON_VMA(address < vma->vm_start || ...)");
    if (p->order > 0)
        atomic_set(p->_entire_mapcount, 0);
    else
        atomic_set(p->_mapcount, 0);
    const unsigned long index = ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;  // linear_page_index()
    for (unsigned long i = 0; i < (1ul << p->order); ++i) pfn_to_page(vma->vm_mm->memory, p->pfn + i)->index = index + i;
    SetPageAnonExclusive(p);
}

// page_add_anon_rmap() — mm/rmap.c v6.6: one pte mapping of a subpage, or with
// RMAP_COMPOUND the pmd mapping of its folio (remove_migration_pmd()).
void page_add_anon_rmap(page* p, vm_area_struct*, unsigned long, rmap_t flags) {
    atomic_inc((flags & RMAP_COMPOUND) ? compound_head(p)->_entire_mapcount : p->_mapcount);
    if (flags & RMAP_EXCLUSIVE) SetPageAnonExclusive(p);
}

// page_try_share_anon_rmap() — include/linux/rmap.h v6.6. The model has no
// FOLL_PIN (GUP takes plain references, gup.h), so page_maybe_dma_pinned() is
// always false and the page always stops being exclusive; callers that must
// refuse GUP references compare page_count() with the mappings first (KSM).
int page_try_share_anon_rmap(page* p) {
    ClearPageAnonExclusive(p);
    return 0;
}

// page_needs_cow_for_dma() — include/linux/mm.h v6.6: only for a pinned page
// of an mm that has pinned pages (MMF_HAS_PINNED); the model has no FOLL_PIN.
bool page_needs_cow_for_dma(vm_area_struct*, page*) { return false; }

// page_try_dup_anon_rmap() — include/linux/rmap.h v6.6, with
// __page_dup_rmap(). Called under the page table lock that maps the page.
int page_try_dup_anon_rmap(page* p, bool compound, vm_area_struct* vma) {
    VM_BUG_ON(compound_head(p)->use != page_use::anon, "VM_BUG_ON_PAGE(!PageAnon(page))");
    // No need to check+clear for already shared pages, including KSM pages.
    if (PageAnonExclusive(p)) {
        // If this page may have been pinned by the parent process, don't
        // allow to duplicate the mapping: the child must get a copy now.
        if (page_needs_cow_for_dma(vma, p)) return -16;  // -EBUSY
        ClearPageAnonExclusive(p);
    }
    // It's okay to share the anon page between both processes, mapping the
    // page R/O into both processes.
    atomic_inc(compound ? compound_head(p)->_entire_mapcount : p->_mapcount);
    return 0;
}

void page_add_file_rmap(page* p, vm_area_struct*, bool compound) {
    atomic_inc(compound ? compound_head(p)->_entire_mapcount : p->_mapcount);
}

// page_remove_rmap() — mm/rmap.c v6.6.
void page_remove_rmap(page* p, vm_area_struct*, bool compound) {
    atomic_t& count = compound ? compound_head(p)->_entire_mapcount : p->_mapcount;
    if (atomic_add_return(-1, count) < -1)
        report_violation(violation_kind::accounting, "mapcount of pfn " + std::to_string(p->pfn) + " below 0");
}

long page_mapcount(page* p) {
    return atomic_read(p->_mapcount) + 1 + atomic_read(compound_head(p)->_entire_mapcount) + 1;
}

page* vm_normal_page(vm_area_struct* vma, unsigned long, pte_t pte) {
    if (pte_special(pte)) return nullptr;
    return pfn_to_page(vma->vm_mm->memory, pte_pfn(pte));
}

namespace {

struct mapping_census {
    std::vector<long> pte_maps;  // per pfn
    std::vector<long> pmd_maps;  // per folio head pfn
};

void count_pmd_table(mapping_census& c, mm_struct* mm, page* pmd_table) {
    for (unsigned i = 0; i < PTRS_PER_PMD; ++i) {
        const pmd_t pmd = deref(pmd_handle(pmd_table, i));
        if (pmd_none(pmd) || !pmd_present(pmd)) continue;
        if (pmd_leaf(pmd)) {
            if (!pmd_devmap(pmd)) ++c.pmd_maps[pmd_pfn(pmd)];
            continue;
        }
        page* pte_table = pfn_to_page(mm->memory, pmd_pfn(pmd));
        for (unsigned j = 0; j < PTRS_PER_PTE; ++j) {
            const pte_t pte = deref(pte_handle(pte_table, j));
            if (pte_present(pte) && !pte_special(pte)) ++c.pte_maps[pte_pfn(pte)];
            // A device-private entry maps its page as a present pte would.
            if (is_swap_pte(pte) && is_device_private_entry(pte_to_swp_entry(pte)))
                ++c.pte_maps[swp_offset_pfn(pte_to_swp_entry(pte))];
        }
    }
}

void expect(long got, long want, const char* what, unsigned long pfn) {
    if (got == want) return;
    report_violation(violation_kind::accounting, std::string(what) + " of pfn " + std::to_string(pfn) + " is " +
                                                     std::to_string(got) + " but the page tables map it for " +
                                                     std::to_string(want));
}

void count_anon_mappings_of_mm(mapping_census& c, mm_struct* mm) {
    for (unsigned g = 0; g < PTRS_PER_PGD; ++g) {
        const pgd_t pgd = deref(pgdp_t{mm->pgd, g, mm->pgd->generation});
        if (pgd_val(pgd) == 0) continue;
        page* pud_table = pfn_to_page(mm->memory, (pgd_val(pgd) & PTE_PFN_MASK) >> PAGE_SHIFT);
        for (unsigned u = 0; u < PTRS_PER_PUD; ++u) {
            const pud_t pud = deref(pudp_t{pud_table, u, pud_table->generation});
            if (pud_none(pud) || pud_leaf(pud) || !pud_present(pud)) continue;
            count_pmd_table(c, mm, pfn_to_page(mm->memory, pud_pfn(pud)));
        }
    }
}

}  // namespace

void check_anon_accounting(mm_struct* mm) { check_anon_accounting(std::vector<mm_struct*>{mm}); }

void check_anon_accounting(const std::vector<mm_struct*>& mms) {
    mem_map& memory = mms.front()->memory;
    mapping_census c;
    c.pte_maps.assign(memory.nr_pages, 0);
    c.pmd_maps.assign(memory.nr_pages, 0);
    for (mm_struct* mm : mms) count_anon_mappings_of_mm(c, mm);
    for (unsigned long pfn = 0; pfn < memory.nr_pages; ++pfn) {
        page* head = memory.pages[pfn].get();
        // Device-private pages are anonymous memory too; a free one (refcount
        // 0, the driver's) is mapped nowhere, which is no leak.
        const bool device_private = is_device_private_page(head);
        if (head->use != page_use::anon && !device_private) continue;
        long refs = c.pmd_maps[pfn];
        for (unsigned long i = 0; i < (1ul << head->order); ++i) {
            refs += c.pte_maps[pfn + i];
            expect(atomic_read(memory.pages[pfn + i]->_mapcount) + 1, c.pte_maps[pfn + i], "pte mapcount", pfn + i);
        }
        expect(atomic_read(head->_entire_mapcount) + 1, c.pmd_maps[pfn], "pmd (entire) mapcount", pfn);
        if (refs == 0 && !device_private)
            report_violation(violation_kind::accounting,
                             "anonymous folio pfn " + std::to_string(pfn) + " leaked: allocated but mapped nowhere");
        expect(atomic_read(head->_refcount), refs, "refcount", pfn);
    }
}

// mm_find_pmd() — mm/rmap.c v6.6 (p4d folded): the pmd slot, if the pgd and pud
// lead to one.
bool mm_find_pmd(mm_struct* mm, unsigned long address, pmdp_t* pmd) {
    const pgdp_t pgd = pgd_offset(mm, address);
    if (pgd_val(deref(pgd)) == 0) return false;
    const pudp_t pud = pud_offset(pgd, address);
    const pud_t pudval = pudp_get(pud);
    if (!pud_present(pudval) || pud_leaf(pudval)) return false;
    *pmd = pmd_offset(pud, address);
    return true;
}

}  // namespace mm
MMCHECK_ENGINE_END
