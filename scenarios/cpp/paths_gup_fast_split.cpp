// paths-gup-fast-vs-split-huge-page: GUP-fast on a pte-mapped THP races
// split_huge_page() of that THP (c24d37322548, "mm/gup: fix
// try_grab_compound_head() race with split_huge_page()", Jann Horn, v5.14).
//
// The initial state is a THP of one pmd split at the pmd only (as
// split_huge_pmd() leaves it when mprotect() or MADV_DONTNEED cover part of
// it): four ptes map its pages, writable and clean, and the folio is whole.
// Thread 0 pins page 1, a tail, with get_user_pages_fast(FOLL_WRITE) and
// releases it with put_page(), as its callers do. Thread 1 splits the folio as
// the debugfs split_huge_pages file does (split_huge_pages_pid()).
//
// GUP-fast reads the pte, looks up the page's folio (the head), and only then
// takes a reference on it. If split_huge_page() runs in between and maps the
// pages back with the pte GUP read, the re-check of the pte passes, and GUP
// returns the tail with the reference on the former head, now an unrelated
// order-0 page. The ptes are clean because the model's migration entries keep
// no young or dirty bit (swapops.h): the split maps every page back clean, so
// a clean pte is one the split gives back bit for bit, as v5.13's
// remove_migration_pte() (which made every pte old and clean) did for an old,
// clean pte.
//
// Variants (model/mm/variants.h gup_try_get_folio):
// - v5.13-no-folio-recheck: try_get_compound_head() of v5.13 returns the head
//   it looked up before the reference, and gup_pte_range()'s
//   VM_BUG_ON_PAGE(compound_head(page) != head, page) (CONFIG_DEBUG_VM) fires
//   after the pte re-check passed: assertion. (Without CONFIG_DEBUG_VM the
//   caller's put_page() would free the tail while it is mapped.)
// - v6.6: try_get_folio() re-checks page_folio(page) after the reference,
//   drops it and looks the folio up again: pass.
// finish() checks the table census and every anonymous page's refcount and
// mapcount.
#include "model/mm/gup.h"
#include "model/mm/huge_memory.h"
#include "model/mm/mm_check.h"
#include "model/mm/pagemap.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "scenarios/body.h"
#include "scenarios/cpp/s4_anon_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;

constexpr unsigned long tail_address = PAGE_SIZE;  // page 1 of the THP

model_variants variants_for(const variant_info& variant) {
    model_variants v;
    if (variant.name == "v5.13-no-folio-recheck") v.gup_grab = gup_try_get_folio::v5_13_no_folio_recheck;
    return v;
}

// follow_page(vma, address, FOLL_GET | FOLL_DUMP) — mm/gup.c v6.6, for an
// anonymous pte (follow_page_pte()): the page it maps, with a reference.
page* follow_page(vm_area_struct* vma, unsigned long address) {
    mm_struct* mm = vma->vm_mm;
    pmdp_t pmd;
    if (!mm_find_pmd(mm, address, &pmd)) return nullptr;
    kernel::spinlock_t* ptl = nullptr;
    const ptep_t ptep = v6_5::pte_offset_map_lock(mm, pmd, address, &ptl);
    if (!ptep.table) return nullptr;
    const pte_t pte = ptep_get(ptep);
    page* p = pte_present(pte) ? vm_normal_page(vma, address, pte) : nullptr;
    if (p) get_page(p);  // try_grab_page(page, FOLL_GET)
    v6_5::pte_unmap_unlock(ptep, ptl);
    return p;
}

// split_huge_pages_pid() — mm/huge_memory.c v6.6, for the one address of one
// VMA (the loop over a range, vma_lookup() and the counters are left out).
void split_huge_pages_pid(vm_area_struct* vma, unsigned long addr) {
    mm_struct* mm = vma->vm_mm;
    kernel::down_read(&mm->mmap_lock);
    page* p = follow_page(vma, addr);
    if (p) {
        page* folio = compound_head(p);  // page_folio(): the caller's reference holds it
        // is_transparent_hugepage(), can_split_folio(), folio_trylock()
        if (compound_order(folio) > 0 && can_split_folio(folio, nullptr) && trylock_page(folio)) {
            // The model's rmap walk is (vma, address) (migrate.h): the folio's
            // first page is mapped at the pmd-aligned address.
            split_folio(folio, vma, addr & PMD_MASK);
            unlock_page(folio);
        }
        put_page(folio);
    }
    kernel::up_read(&mm->mmap_lock);
}

struct gup_split_instance : scenario_instance {
    explicit gup_split_instance(const variant_info& variant)
        : world(variants_for(variant), s4_world::initial_pmd::none) {
        map_pte_mapped_thp();
    }

    // A THP after split_huge_pmd(): every page mapped by its own pte (one
    // reference each on the folio, no pmd mapping), exclusive to this mm.
    void map_pte_mapped_thp() {
        mm_struct* mm = world.mm.get();
        page* table = pte_alloc_one(mm);
        mm_inc_nr_ptes(mm);
        page* thp = vma_alloc_folio(&world.vma, TABLE_INDEX_BITS);
        page_ref_add(thp, int(HPAGE_PMD_NR) - 1);
        for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
            page* subpage = pfn_to_page(world.memory, thp->pfn + i);
            SetPageAnonExclusive(subpage);
            page_add_anon_rmap(subpage, &world.vma, i * PAGE_SIZE, RMAP_NONE);
            set_pte_at(mm, i * PAGE_SIZE, pte_handle(table, i), pte_mkwrite(pfn_pte(thp->pfn + i, PAGE_READONLY)));
        }
        pmd_populate(mm, world.pmd, table);
    }

    void run_thread(int index) override {
        if (index == 0) {
            page* pages[1] = {nullptr};
            if (get_user_pages_fast(world.mm.get(), tail_address, 1, FOLL_WRITE, pages) == 1) put_page(pages[0]);
            return;
        }
        split_huge_pages_pid(&world.vma, tail_address);
    }

    void finish() override {
        check_page_tables(world.mm.get());
        check_anon_accounting(world.mm.get());
    }

    s4_world::anon_world world;
};

const scenario_registration gup_vs_split{
    [] {
        scenario_info info;
        info.name = "paths-gup-fast-vs-split-huge-page";
        info.summary = "GUP-fast references a pte-mapped THP's head while split_huge_page() splits it";
        info.source = "c24d37322548 (v5.14, Jann Horn); mm/gup.c v5.13 and v6.6; mm/huge_memory.c v6.6";
        info.threads = 2;
        info.variants = {
            {"v5.13-no-folio-recheck",
             "mm/gup.c v5.13: try_get_compound_head() without the re-check; VM_BUG_ON_PAGE() after the pte re-check",
             violation_kind::assertion},
            {"v6.6", "mm/gup.c v6.6: try_get_folio() re-checks page_folio() after the reference, retries",
             std::nullopt},
        };
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> {
        return std::make_unique<gup_split_instance>(v);
    }};

}  // namespace

MMCHECK_ENGINE_END
