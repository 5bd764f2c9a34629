// S5: a driver's migrate_vma round (migrate_vma_setup(), migrate_vma_pages(),
// migrate_vma_finalize()) over one pmd of an anonymous VMA, racing a CPU write
// access to a page of the same range (seed thread 003, the 2017 HMM migrate
// posting).
//
// Thread 0 is the driver: under mmap_lock for read it collects the range (holes
// and zero-page ptes become MIGRATE entries without a page; mapped pages are
// locked and replaced by migration entries), allocates and locks a destination
// for each MIGRATE entry, and migrates. Thread 1 is the CPU: a store that
// faults through do_user_addr_fault() until the hardware walk succeeds; on a
// migration entry the fault waits in migration_entry_wait() for the page lock.
// Four initial states: the pmd none (holes), a pte table of zero-page ptes and
// one page (the store COWs the zero page, or waits on the page), and a THP
// (collect splits it with split_huge_page() and collects its order-0 pages).
//
// Variants (model/mm/variants.h migrate_vma_collect, migrate_vma_insert):
// - v4.14-rc1-early-npages: 8315ada7f095's migrate_vma_collect_hole() clears
//   dst[npages] after incrementing it: the last hole writes past the driver's
//   arrays (fixed before v4.14); must fail (assertion).
// - v4.14 and v6.6: must pass.
// - no-pte-none-recheck (hypothetical): migrate_vma_insert_page() without its
//   look at the pte under the ptl installs over the page a racing fault mapped
//   there; must fail (accounting: a lost page).
// finish() checks the table census and every anonymous page's refcount and
// mapcount; the driver checks it released every page lock.
#include <string>

#include "model/arch/x86/fault.h"
#include "model/arch/x86/hw_access.h"
#include "model/mm/migrate_device.h"
#include "model/mm/mm_check.h"
#include "model/mm/pagemap.h"
#include "model/mm/rmap.h"
#include "scenarios/body.h"
#include "scenarios/cpp/s4_anon_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;
using s4_world::anon_world;
using s4_world::initial_pmd;

enum class s5_state { holes, zero_pfn, mapped_page, thp };

model_variants s5_variants_for(const variant_info& variant) {
    model_variants v;
    if (variant.name == "v4.14-rc1-early-npages") {
        v.migrate_collect = migrate_vma_collect::v4_14_early_npages;
        v.migrate_insert = migrate_vma_insert::v4_14_pmd_trans_unstable;
    }
    if (variant.name == "v4.14") {
        v.migrate_collect = migrate_vma_collect::v4_14;
        v.migrate_insert = migrate_vma_insert::v4_14_pmd_trans_unstable;
    }
    if (variant.name == "no-pte-none-recheck") v.migrate_insert = migrate_vma_insert::no_pte_none_recheck;
    return v;
}

initial_pmd world_pmd(s5_state state) {
    if (state == s5_state::holes) return initial_pmd::none;
    if (state == s5_state::thp) return initial_pmd::thp;
    return initial_pmd::pte_table;
}

struct s5_instance : scenario_instance {
    s5_instance(const variant_info& variant, s5_state state)
        : world(s5_variants_for(variant), world_pmd(state)),
          cpu_address(state == s5_state::mapped_page ? 2 * PAGE_SIZE : PAGE_SIZE) {
        if (state == s5_state::zero_pfn || state == s5_state::mapped_page) map_zero_pages();
    }

    // Pages 0 and 1 read-faulted before any write: the zero page, as
    // do_anonymous_page() maps it (special, read-only); page 3 never touched.
    void map_zero_pages() {
        page* table = pfn_to_page(world.memory, pmd_pfn(deref(world.pmd)));
        for (unsigned i : {0u, 1u, 3u}) {
            const ptep_t pte = pte_handle(table, i);
            page* p = pfn_to_page(world.memory, pte_pfn(deref(pte)));
            set_pte_at(world.mm.get(), i * PAGE_SIZE, pte,
                       i == 3 ? pte_t{} : pte_mkspecial(pfn_pte(my_zero_pfn(0), PAGE_READONLY)));
            page_remove_rmap(p, &world.vma, false);
            put_page(p);
        }
    }

    // The driver: one migrate_vma round over the pmd, destinations locked.
    void migrate_range() {
        mm_struct* mm = world.mm.get();
        migrate_pfn_array src(HPAGE_PMD_NR), dst(HPAGE_PMD_NR);
        migrate_vma args;
        args.vma = &world.vma;
        args.src = &src;
        args.dst = &dst;
        args.start = 0;
        args.end = PMD_SIZE;
        kernel::down_read(&mm->mmap_lock);
        if (migrate_vma_setup(&args) == 0) {
            for (unsigned long i = 0; i < args.npages; ++i) {
                if (!(src[i] & MIGRATE_PFN_MIGRATE)) continue;
                page* newpage = vma_alloc_folio(&world.vma, 0);
                if (!newpage) continue;
                lock_page(newpage);
                dst[i] = migrate_pfn(page_to_pfn(newpage));  // then copy: no data in the model
            }
            migrate_vma_pages(&args);
            migrate_vma_finalize(&args);
        }
        kernel::up_read(&mm->mmap_lock);
        for (auto& p : world.memory.pages)
            if (kernel::detail::holds(&p->PG_locked))
                kernel::report_violation(kernel::violation_kind::accounting,
                                 "page lock of pfn " + std::to_string(p->pfn) + " still held after migrate_vma_finalize()");
    }

    // The CPU: the store re-executes after every fault that does not fail.
    void store() {
        mm_struct* mm = world.mm.get();
        while (hw_access(mm, cpu_address, true) == hw_access_result::page_fault)
            if (do_user_addr_fault(mm, cpu_address, FAULT_FLAG_WRITE) & (VM_FAULT_SIGBUS | VM_FAULT_OOM)) return;
    }

    void run_thread(int index) override {
        if (index == 0) migrate_range();
        else store();
    }

    void finish() override {
        check_page_tables(world.mm.get());
        check_anon_accounting(world.mm.get());
    }

    anon_world world;
    unsigned long cpu_address;
};

variant_info early_npages() {
    return {"v4.14-rc1-early-npages",
            "8315ada7f095: migrate_vma_collect_hole() writes dst[] one past the arrays",
            violation_kind::assertion};
}
variant_info no_recheck() {
    return {"no-pte-none-recheck", "hypothetical: migrate_vma_insert_page() does not look at the pte under the ptl",
            violation_kind::accounting};
}
std::vector<variant_info> fixed_variants() {
    return {{"v4.14", "mm/migrate.c v4.14: index fixed, pmd re-checks after a THP split", std::nullopt},
            {"v6.6", "mm/migrate_device.c v6.6: pte_offset_map_lock() may fail, goto again", std::nullopt}};
}

template <s5_state state>
std::unique_ptr<scenario_instance> make(const variant_info& v) {
    return std::make_unique<s5_instance>(v, state);
}

scenario_info info_for(const char* name, const char* summary, std::vector<variant_info> buggy) {
    scenario_info info;
    info.name = name;
    info.summary = summary;
    info.source = "seed thread 003 (HMM migrate_vma posting, 2017); 8315ada7f095 (v4.14-rc1); v6.6";
    info.threads = 2;
    info.variants = std::move(buggy);
    for (variant_info& v : fixed_variants()) info.variants.push_back(std::move(v));
    return info;
}

const scenario_registration holes{
    info_for("s5-migrate-vma-holes-vs-fault", "migrate_vma over an empty pmd while a store faults a page in",
             {early_npages(), no_recheck()}),
    make<s5_state::holes>};

const scenario_registration zero_pfn{
    info_for("s5-migrate-vma-zero-pfn-vs-fault",
             "migrate_vma over zero-page ptes while a store COWs one of them", {no_recheck()}),
    make<s5_state::zero_pfn>};

const scenario_registration mapped{
    info_for("s5-migrate-vma-page-vs-fault",
             "migrate_vma replaces a mapped page by a migration entry while a store faults on it", {}),
    make<s5_state::mapped_page>};

const scenario_registration thp{
    info_for("s5-migrate-vma-thp-vs-fault", "migrate_vma splits a THP while a store faults on it", {}),
    make<s5_state::thp>};

}  // namespace

MMCHECK_ENGINE_END
