// S6: an HMM snapshot used after an invalidation (seed threads 000 and 002:
// the HMM mirror API reviews, 2016-2019; the driver pattern as documented in
// Documentation/mm/hmm.rst since the interval notifiers of v5.5).
//
// A device driver mirrors four anonymous pages (model/drivers/mirror.cpp). Its
// fault takes mmu_interval_read_begin(), snapshots the CPU entry with
// hmm_range_fault() under mmap_lock, then takes its own lock and maps the pfn.
// Meanwhile MADV_DONTNEED zaps the page inside an invalidate_range_start/end
// bracket (zap_page_range_single(), v6.6) and frees it. Variants
// (model/mm/variants.h, mirror_driver):
// - no-read-retry: the driver maps the snapshot without
//   mmu_interval_read_retry(); the mirror maps the freed pfn after the zap's
//   invalidation cleared it: must fail (secondary-mmu-incoherent);
// - read-retry: the documented pattern; must pass.
// finish() checks the mirror against the CPU tables, the tables and the counts.
#include "model/drivers/mirror.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/mm_check.h"
#include "scenarios/body.h"
#include "scenarios/cpp/s4_anon_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;
using s4_world::anon_world;
using s4_world::initial_pmd;

constexpr unsigned long fault_address = PAGE_SIZE;

model_variants driver_variant(const variant_info& variant) {
    model_variants v;
    v.mirror = variant.name == "no-read-retry" ? mirror_driver::no_read_retry : mirror_driver::read_retry;
    return v;
}

// MADV_DONTNEED of one page: zap_page_range_single() — mm/memory.c v6.6 brackets
// the zap with the notifier; model/mm/memory_zap_huge.cpp leaves notifiers out,
// so the bracket is added here where the kernel has it.
void zap_page_range_single_notify(vm_area_struct* vma, unsigned long address, unsigned long size) {
    mmu_notifier_range range;
    mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, vma, vma->vm_mm, address, address + size);
    mmu_notifier_invalidate_range_start(&range);
    madvise_dontneed_single_vma(vma, address, address + size);
    mmu_notifier_invalidate_range_end(&range);
}

struct s6_instance : scenario_instance {
    explicit s6_instance(const variant_info& variant)
        : world(driver_variant(variant), initial_pmd::pte_table), dev(world.mm.get(), 0, false) {
        mirror_register(&dev);
    }

    void run_thread(int index) override {
        if (index == 0) {
            mirror_fault(&dev, fault_address, false);
            return;
        }
        mm_struct* mm = world.mm.get();
        kernel::down_read(&mm->mmap_lock);
        zap_page_range_single_notify(&world.vma, fault_address, PAGE_SIZE);
        kernel::up_read(&mm->mmap_lock);
    }

    void finish() override {
        check_mirror_coherent(&dev, 0, MIRROR_PAGES * PAGE_SIZE, "at the end of the run");
        check_page_tables(world.mm.get());
        check_anon_accounting(world.mm.get());
    }

    anon_world world;
    mirror dev;
};

const scenario_registration s6{
    [] {
        scenario_info info;
        info.name = "s6-hmm-snapshot-vs-zap";
        info.summary = "a driver maps an hmm_range_fault() snapshot while MADV_DONTNEED zaps and frees the page";
        info.source = "seed threads 000 and 002 (HMM mirror API review); Documentation/mm/hmm.rst v6.6";
        info.threads = 2;
        info.variants = {
            {"no-read-retry", "the driver maps the snapshot without mmu_interval_read_retry()",
             violation_kind::mirror_incoherent},
            {"read-retry", "mmu_interval_read_retry() under the driver lock, start over if it moved", std::nullopt},
        };
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> { return std::make_unique<s6_instance>(v); }};

}  // namespace

MMCHECK_ENGINE_END
