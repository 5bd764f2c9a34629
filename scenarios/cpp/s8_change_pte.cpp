// S8: change_pte and the invalidate bracket (seed thread 004: Jérôme Glisse's
// 2019 posting "restore change_pte optimization", MMU_NOTIFIER_USE_CHANGE_PTE).
//
// A KVM-like secondary MMU (model/drivers/mirror.cpp, honouring the flag: it
// keeps its entry through a flagged bracket and lets change_pte update it)
// mirrors the page at address 0 and faults on it concurrently through
// hmm_range_fault(). The CPU side (variants.h change_pte_notify):
// - s8-ksm-change-pte: KSM merges the page into a KSM page
//   (write_protect_page(): rw->ro same pfn, then replace_page(): ro->ro new pfn);
// - s8-cow-change-pte: a write fault copies the zero page (ro pfn 0 -> rw new pfn).
// Variants:
// - v3.9-bracket (v3.9 to v6.8): every change_pte bracketed, no flag; must pass;
// - seed-2019: the flag on KSM's two brackets; must pass;
// - v2.6.32-no-bracket: set_pte_at_notify() with no bracket; must fail
//   (illegal-change-pte: a subscriber without change_pte keeps the old page);
// - flag-on-cow: the flag also on wp_page_copy(); must fail (illegal-change-pte:
//   the mirror kept the zero page through the bracket and is told to take a
//   writable new pfn);
// - no-notifier: wp_page_copy() without any notifier call; must fail
//   (secondary-mmu-incoherent: the mirror still maps the zero page).
#include "model/drivers/mirror.h"
#include "model/mm/ksm.h"
#include "model/mm/memory.h"
#include "model/mm/mm_check.h"
#include "scenarios/body.h"
#include "scenarios/cpp/s4_anon_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;
using s4_world::anon_world;
using s4_world::initial_pmd;

model_variants notify_variant(const variant_info& variant) {
    model_variants v;
    if (variant.name == "v2.6.32-no-bracket") v.notify = change_pte_notify::v2_6_32_no_bracket;
    if (variant.name == "seed-2019") v.notify = change_pte_notify::seed_2019_use_change_pte;
    if (variant.name == "flag-on-cow") v.notify = change_pte_notify::flag_on_cow;
    if (variant.name == "no-notifier") v.notify = change_pte_notify::no_notifier;
    return v;
}

// One pte table under the world's pmd; address 0 holds `first`.
ptep_t map_first_page(anon_world& world, pte_t first) {
    page* table = pte_alloc_one(world.mm.get());
    mm_inc_nr_ptes(world.mm.get());
    set_pte_at(world.mm.get(), 0, pte_handle(table, 0), first);
    pmd_populate(world.mm.get(), world.pmd, table);
    return pte_handle(table, 0);
}

struct s8_instance : scenario_instance {
    s8_instance(const variant_info& variant, bool ksm)
        : world(notify_variant(variant), initial_pmd::none), dev(world.mm.get(), 0, true), ksm(ksm) {
        if (ksm) {
            // A private anonymous page the task wrote, and the KSM page with
            // the same content that the stable tree holds a reference on.
            anon = vma_alloc_folio(&world.vma, 0);
            page_add_new_anon_rmap(anon, &world.vma, 0);
            anon->index = 0;  // faulted at address 0 (linear_page_index())
            map_first_page(world, pte_mkwrite(pte_mkdirty(pfn_pte(anon->pfn, PAGE_READONLY))));
            kpage = vma_alloc_folio(&world.vma, 0);
            mirror_map_initial(&dev, 0, anon->pfn, true);
        } else {
            map_first_page(world, pte_mkspecial(pfn_pte(my_zero_pfn(0), PAGE_READONLY)));
            mirror_map_initial(&dev, 0, my_zero_pfn(0), false);
        }
        mirror_register(&dev);
    }

    void run_thread(int index) override {
        mm_struct* mm = world.mm.get();
        if (index == 1) {
            mirror_fault(&dev, 0, false);
            return;
        }
        kernel::down_read(&mm->mmap_lock);
        if (ksm) {
            get_page(anon);  // follow_page()'s reference in cmp_and_merge_page()
            try_to_merge_one_page(&world.vma, anon, kpage);
            put_page(anon);
        } else {
            handle_mm_fault(&world.vma, 0, FAULT_FLAG_WRITE);  // do_wp_page() copies the zero page
        }
        kernel::up_read(&mm->mmap_lock);
    }

    void finish() override {
        check_mirror_coherent(&dev, 0, MIRROR_PAGES * PAGE_SIZE, "at the end of the run");
        if (kpage) put_page(kpage);  // the stable tree lets go: accounting sees the mappings only
        check_page_tables(world.mm.get());
        check_anon_accounting(world.mm.get());
    }

    anon_world world;
    mirror dev;
    bool ksm;
    page* anon = nullptr;
    page* kpage = nullptr;
};

scenario_info s8_info(const char* name, const char* summary, std::vector<variant_info> variants) {
    scenario_info info;
    info.name = name;
    info.summary = summary;
    info.source = "seed thread 004 (2019 MMU_NOTIFIER_USE_CHANGE_PTE posting); mm/ksm.c, mm/memory.c v6.6";
    info.threads = 2;
    info.variants = std::move(variants);
    return info;
}

const scenario_registration ksm{
    s8_info("s8-ksm-change-pte", "KSM write-protects and replaces a page a secondary MMU maps and faults on",
            {
                {"v3.9-bracket", "change_pte inside invalidate_range_start/end, no flag", std::nullopt},
                {"seed-2019", "MMU_NOTIFIER_USE_CHANGE_PTE on both KSM brackets", std::nullopt},
                {"v2.6.32-no-bracket", "set_pte_at_notify() without a bracket", violation_kind::illegal_change_pte},
            }),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> { return std::make_unique<s8_instance>(v, true); }};

const scenario_registration cow{
    s8_info("s8-cow-change-pte", "a COW fault replaces the zero page a secondary MMU maps and faults on",
            {
                {"v3.9-bracket", "wp_page_copy() brackets set_pte_at_notify(), no flag", std::nullopt},
                {"flag-on-cow", "MMU_NOTIFIER_USE_CHANGE_PTE on ro->rw with a new pfn",
                 violation_kind::illegal_change_pte},
                {"no-notifier", "no bracket, plain set_pte_at()", violation_kind::mirror_incoherent},
            }),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> { return std::make_unique<s8_instance>(v, false); }};

}  // namespace

MMCHECK_ENGINE_END
