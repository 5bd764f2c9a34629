// A device fault through hmm_range_fault() against a migrate_vma round on the
// same page, as a two-thread self-test program (hidden from `mmcheck list`),
// compiled per engine for tests/mirror/hmm_migration_entry_test.cpp. Where the
// fault's walk meets the round's migration entry it waits in
// migration_entry_wait() for the migrator's unlock_page() (mm/hmm.c v6.6), the
// one place a single thread cannot reach.
//
// T0: migrate_vma_setup(), a locked destination, migrate_vma_pages(),
//     migrate_vma_finalize() over the page at PAGE_SIZE.
// T1: mirror_fault() (read_begin, hmm_range_fault() under mmap_lock, the driver
//     lock and read_retry) for a write at PAGE_SIZE.
// Must pass: the fault returns 0 (no deadlock, no livelock), and tables, counts
// and the mirror agree with the CPU at the end.
#include <string>

#include "model/drivers/mirror.h"
#include "model/mm/migrate_device.h"
#include "model/mm/mm_check.h"
#include "model/mm/pagemap.h"
#include "model/mm/rmap.h"
#include "scenarios/body.h"
#include "scenarios/cpp/s4_anon_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;

constexpr unsigned long migrated = PAGE_SIZE;

struct hmm_vs_migrate : scenario_instance {
    hmm_vs_migrate() : world({}, s4_world::initial_pmd::pte_table), dev(world.mm.get(), 0, false) {
        mirror_register(&dev);
        args.vma = &world.vma;
        args.src = &src;
        args.dst = &dst;
        args.start = migrated;
        args.end = migrated + PAGE_SIZE;
    }

    void run_thread(int index) override {
        mm_struct* mm = world.mm.get();
        if (index == 1) {
            fault_ret = mirror_fault(&dev, migrated, true);
            return;
        }
        kernel::down_read(&mm->mmap_lock);
        const int ret = migrate_vma_setup(&args);
        kernel::up_read(&mm->mmap_lock);
        if (ret != 0) return;
        if (src[0] & MIGRATE_PFN_MIGRATE) {
            page* newpage = vma_alloc_folio(&world.vma, 0);
            lock_page(newpage);
            dst[0] = migrate_pfn(page_to_pfn(newpage));
        }
        kernel::down_read(&mm->mmap_lock);
        migrate_vma_pages(&args);
        migrate_vma_finalize(&args);
        kernel::up_read(&mm->mmap_lock);
    }

    void finish() override {
        if (fault_ret != 0)
            kernel::report_violation(violation_kind::assertion,
                                     "mirror_fault() returned " + std::to_string(fault_ret) + ", not 0");
        check_page_tables(world.mm.get());
        check_anon_accounting(world.mm.get());
        check_mirror_coherent(&dev, 0, MIRROR_PAGES * PAGE_SIZE, "at the end");
    }

    s4_world::anon_world world;
    mirror dev;
    migrate_pfn_array src{1}, dst{1};
    migrate_vma args;
    int fault_ret = 0;
};

const scenario_registration registration{
    [] {
        scenario_info info;
        info.name = "selftest/mirror/hmm-fault-vs-migrate-vma";
        info.summary = "a device fault waits out a migrate_vma round's migration entry";
        info.source = "mm/hmm.c, mm/migrate.c, mm/migrate_device.c v6.6";
        info.threads = 2;
        info.variants = {{"default", "v6.6", std::nullopt}};
        info.selftest = true;
        return info;
    }(),
    [](const variant_info&) -> std::unique_ptr<scenario_instance> { return std::make_unique<hmm_vs_migrate>(); }};

}  // namespace

MMCHECK_ENGINE_END
