// S4: migrate_vma_insert_page()'s pte_alloc() vs a huge pmd installed on the
// same pmd (seed thread 003, review of the HMM migrate_vma patches, 2017).
//
// migrate_vma_insert_page() runs under mmap_lock for read, like page faults. It
// checks the pmd is not huge, pte_alloc()s, then pte_offset_map_lock()s. If a
// fault's do_huge_pmd_anonymous_page() installs a THP in between, pte_alloc()
// sees a non-none pmd and does nothing, and the 2017 posting then walks the THP
// as a pte table. Variants (model/mm/variants.h, migrate_vma_insert):
// - v2017-no-recheck: the posting; must fail (descend-through-non-table).
// - v4.14-pmd-trans-unstable: as merged after the review, pmd_trans_unstable()
//   after pte_alloc(); must pass.
// - v6.6-pte-offset-map-lock: today's mm/migrate_device.c, where the 6.5+
//   pte_offset_map_lock() fails on a non-table pmd; must pass.
// Two scenarios: the THP comes from a fault on an empty pmd, or from a refault
// right after MADV_DONTNEED zapped the THP that was there (zap_huge_pmd()).
// finish() checks the table census and every page's counts.
#include "model/arch/x86/fault.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/migrate_vma_insert.h"
#include "model/mm/mm_check.h"
#include "scenarios/body.h"
#include "scenarios/cpp/s4_anon_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;
using s4_world::anon_world;
using s4_world::initial_pmd;

constexpr unsigned long insert_address = PAGE_SIZE;

model_variants s4_variants_for(const variant_info& variant) {
    model_variants v;
    if (variant.name == "v2017-no-recheck") v.migrate_insert = migrate_vma_insert::v2017_no_recheck;
    if (variant.name == "v4.14-pmd-trans-unstable") v.migrate_insert = migrate_vma_insert::v4_14_pmd_trans_unstable;
    if (variant.name == "v6.6-pte-offset-map-lock") v.migrate_insert = migrate_vma_insert::v6_5_pte_offset_map_lock;
    return v;
}

struct s4_instance : scenario_instance {
    s4_instance(const variant_info& variant, initial_pmd initial, bool zap_first)
        : world(s4_variants_for(variant), initial), zap_first(zap_first) {
        dst = vma_alloc_folio(&world.vma, 0);  // the driver's destination page
    }

    void run_thread(int index) override {
        mm_struct* mm = world.mm.get();
        if (index == 0) {
            // migrate_vma_pages() for a hole, then migrate_vma_finalize() drops
            // the driver's reference.
            kernel::down_read(&mm->mmap_lock);
            migrate_vma_insert_page(&world.vma, insert_address, dst);
            kernel::up_read(&mm->mmap_lock);
            put_page(dst);
            return;
        }
        if (zap_first) {
            kernel::down_read(&mm->mmap_lock);
            madvise_dontneed_single_vma(&world.vma, 0, PMD_SIZE);
            kernel::up_read(&mm->mmap_lock);
        }
        do_user_addr_fault(mm, insert_address, FAULT_FLAG_WRITE);
    }

    void finish() override {
        check_page_tables(world.mm.get());
        check_anon_accounting(world.mm.get());
    }

    anon_world world;
    bool zap_first;
    page* dst = nullptr;
};

std::vector<variant_info> s4_variants() {
    return {
        {"v2017-no-recheck", "2017 posting: pte_offset_map_lock() right after pte_alloc()",
         violation_kind::descend_through_non_table},
        {"v4.14-pmd-trans-unstable", "as merged: pmd_trans_unstable() after pte_alloc(), abort", std::nullopt},
        {"v6.6-pte-offset-map-lock", "mm/migrate_device.c v6.6: the 6.5+ pte_offset_map_lock() fails, abort",
         std::nullopt},
    };
}

const scenario_registration vs_fault{
    [] {
        scenario_info info;
        info.name = "s4-migrate-insert-vs-huge-fault";
        info.summary = "migrate_vma_insert_page() pte_alloc()s while a fault installs a THP on the same pmd";
        info.source = "seed thread 003 (HMM migrate_vma review, 2017); merged form v4.14; v6.5 0d940a9b270b";
        info.threads = 2;
        info.variants = s4_variants();
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> {
        return std::make_unique<s4_instance>(v, initial_pmd::none, false);
    }};

const scenario_registration vs_zap{
    [] {
        scenario_info info;
        info.name = "s4-migrate-insert-vs-zap-huge-pmd";
        info.summary = "migrate_vma_insert_page() races MADV_DONTNEED's zap_huge_pmd() and the THP refault after it";
        info.source = "seed thread 003 (HMM migrate_vma review, 2017); merged form v4.14; v6.5 0d940a9b270b";
        info.threads = 2;
        info.variants = s4_variants();
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> {
        return std::make_unique<s4_instance>(v, initial_pmd::thp, true);
    }};

}  // namespace

MMCHECK_ENGINE_END
