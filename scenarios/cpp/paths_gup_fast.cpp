// GUP-fast (model/mm/gup.cpp) against the two ways a lockless walker can lose
// what it looks at: the page (MADV_DONTNEED frees it and a fault reuses it) and
// the table (khugepaged retracts and frees it).
//
// paths-gup-fast-vs-dontneed-reuse: thread 0 pins the anonymous page at A with
// get_user_pages_fast(); thread 1 zaps A (MADV_DONTNEED, which frees the page
// at once: no TLB-flush IPI waits for the interrupts-off walker in the model)
// and write-faults B, which reuses the freed page. Variants (gup_fast):
// - x86-v4.12-no-recheck: get_page() and no re-check; pins a freed or reused
//   page: stale-page-pinned. (On x86 it was safe: the flush IPI waited.)
// - v6.1-pte-recheck, v6.6: folio_try_get_rcu() and the pte re-check; pass.
//
// paths-gup-fast-vs-retract-page-tables: thread 0 runs GUP-fast over a file
// range whose empty pte table thread 1's retract_page_tables() removes.
// Variants (khugepaged_retract), GUP as in v6.6:
// - v6.0-pte-free: pte_free() right after pmdp_collapse_flush():
//   table-use-after-free, with or without GUP's pmd re-check (the re-check
//   runs after the read of the freed table; 2ba99c5e0881's message says so).
// - v6.1-2ba99c5e0881: tlb_remove_table_sync_one() first; pass.
// - v6.6-pte-free-defer: pte_free_defer(); pass.
#include <string>

#include "model/arch/x86/fault.h"
#include "model/mm/gup.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/mm_check.h"
#include "scenarios/body.h"
#include "scenarios/cpp/paths_file_world.h"
#include "scenarios/cpp/s4_anon_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;

constexpr unsigned long addr_a = 0;
constexpr unsigned long addr_b = 2 * PAGE_SIZE;

model_variants gup_variant(const variant_info& variant) {
    model_variants v;
    if (variant.name == "x86-v4.12-no-recheck") v.gup = gup_fast::x86_v4_12_no_recheck;
    if (variant.name == "v6.1-pte-recheck") v.gup = gup_fast::v6_1_pte_recheck;
    if (variant.name == "v6.0-pte-free") v.retract = khugepaged_retract::v6_0_pte_free;
    if (variant.name == "v6.1-2ba99c5e0881") v.retract = khugepaged_retract::fixed_2ba99c5e0881;
    return v;
}

// The page GUP returns must be the one A mapped: alive, same allocation.
void check_pinned(page* p, unsigned long want_pfn, unsigned generation) {
    page_use use;
    unsigned now;
    {
        kernel::backend::bookkeeping_guard guard;
        use = p->use;
        now = p->generation;
    }
    if (p->pfn == want_pfn && use == page_use::anon && now == generation) return;
    kernel::report_violation(kernel::violation_kind::stale_pin,
                             "get_user_pages_fast() pinned pfn " + std::to_string(p->pfn) + ", which is now " +
                                 std::string(page_use_name(use)) +
                                 (now != generation ? " and was freed and reallocated since A mapped it" : "") +
                                 ": the caller would read or DMA into memory A no longer maps");
}

struct dontneed_instance : scenario_instance {
    explicit dontneed_instance(const variant_info& variant)
        : world(gup_variant(variant), s4_world::initial_pmd::none) {
        page* table = pte_alloc_one(world.mm.get());
        mm_inc_nr_ptes(world.mm.get());
        mapped = vma_alloc_folio(&world.vma, 0);
        page_add_new_anon_rmap(mapped, &world.vma, addr_a);
        set_pte_at(world.mm.get(), addr_a, pte_handle(table, pte_index(addr_a)),
                   pte_mkwrite(pte_mkdirty(pfn_pte(mapped->pfn, PAGE_READONLY))));
        pmd_populate(world.mm.get(), world.pmd, table);
        pfn = mapped->pfn;
        generation = mapped->generation;
    }

    void run_thread(int index) override {
        mm_struct* mm = world.mm.get();
        if (index == 0) {
            page* pages[1] = {nullptr};
            if (get_user_pages_fast(mm, addr_a, 1, FOLL_WRITE, pages) == 1) {
                check_pinned(pages[0], pfn, generation);
                put_page(pages[0]);
            }
            return;
        }
        kernel::down_read(&mm->mmap_lock);
        madvise_dontneed_single_vma(&world.vma, addr_a, addr_a + PAGE_SIZE);
        kernel::up_read(&mm->mmap_lock);
        do_user_addr_fault(mm, addr_b, FAULT_FLAG_WRITE);
    }

    void finish() override {
        check_page_tables(world.mm.get());
        check_anon_accounting(world.mm.get());
    }

    s4_world::anon_world world;
    page* mapped = nullptr;
    unsigned long pfn = 0;
    unsigned generation = 0;
};

struct retract_instance : paths_world::file_instance {
    explicit retract_instance(const variant_info& variant) : file_instance(gup_variant(variant), false) {}

    void run_thread(int index) override {
        if (index == 0) {
            page* pages[HPAGE_PMD_NR] = {};
            // Nothing is mapped: a correct walk pins nothing and touches only live tables.
            kernel::VM_BUG_ON(get_user_pages_fast(world.mm.get(), 0, int(HPAGE_PMD_NR), 0, pages) != 0,
                              "GUP-fast pinned a page in a range that maps none");
            return;
        }
        world.retract();
    }
};

const scenario_registration vs_dontneed{
    [] {
        scenario_info info;
        info.name = "paths-gup-fast-vs-dontneed-reuse";
        info.summary = "GUP-fast pins a page that MADV_DONTNEED frees and a fault elsewhere reuses";
        info.source = "mm/gup.c v6.6; arch/x86/mm/gup.c v4.12; 2667f50e8b81 (v3.19), 70cbc3cc78a9 (v6.2)";
        info.threads = 2;
        info.variants = {
            {"x86-v4.12-no-recheck", "arch/x86/mm/gup.c before v4.13: get_page(), no re-check",
             violation_kind::stale_pin},
            {"v6.1-pte-recheck", "folio_try_get_rcu() and the pte re-check, no pmd re-check", std::nullopt},
            {"v6.6", "mm/gup.c v6.6: pmd and pte re-check (70cbc3cc78a9)", std::nullopt},
        };
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> { return std::make_unique<dontneed_instance>(v); }};

const scenario_registration gup_fast_vs_retract{
    [] {
        scenario_info info;
        info.name = "paths-gup-fast-vs-retract-page-tables";
        info.summary = "GUP-fast walks a pte table that khugepaged's retract_page_tables() frees";
        info.source = "mm/khugepaged.c v6.0, 2ba99c5e0881 (v6.1), 1d65b771bc08 (v6.5); mm/gup.c v6.6";
        info.threads = 2;
        info.variants = {
            {"v6.0-pte-free", "retract_page_tables() v6.0: pte_free() at once", violation_kind::table_use_after_free},
            {"v6.1-2ba99c5e0881", "tlb_remove_table_sync_one() before pte_free()", std::nullopt},
            {"v6.6-pte-free-defer", "v6.6: no mmap_lock, pte_free_defer()", std::nullopt},
        };
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> { return std::make_unique<retract_instance>(v); }};

}  // namespace

MMCHECK_ENGINE_END
