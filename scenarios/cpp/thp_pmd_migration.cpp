// A THP migrated whole through a pmd migration entry (migrate_pages(),
// mm/migrate.c v6.6 with CONFIG_ARCH_ENABLE_THP_MIGRATION) while another
// thread faults on it or zaps it.
//
// The migrator holds the folio's lock from before try_to_migrate() installs
// the pmd migration entry (set_pmd_migration_entry(): pmdp_invalidate(), then
// the entry, in one hold of the pmd lock) until remove_migration_pmd() maps
// the new folio. A fault that meets the entry waits in
// pmd_migration_entry_wait() and returns to be retried (the store is tried
// once more); its reference on the old folio can make the migration
// fail, and the old folio is mapped back instead. MADV_DONTNEED may zap the
// entry (zap_huge_pmd(): no mapcount, no reference, the deposited table
// withdrawn); remove_migration_ptes() then finds nothing and both folios are
// freed. Every order must leave the page tables and every page's counts
// consistent (finish()) and a completed store's pmd a writable huge mapping
// (dirty bits are not checked: the model's migration entries and folios carry
// none, swapops.h).
//
// The migrator's isolation reference is taken before the threads start, as
// isolate_lru_page() would have under the ptl (scenarios/README.md).
#include "model/arch/x86/fault.h"
#include "model/arch/x86/hw_access.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/migrate.h"
#include "model/mm/mm_check.h"
#include "scenarios/body.h"
#include "scenarios/cpp/s4_anon_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;
using s4_world::anon_world;
using s4_world::initial_pmd;

enum class racer { store, dontneed };

constexpr unsigned long migration_store_address = PAGE_SIZE;

struct thp_migration_instance : scenario_instance {
    thp_migration_instance(const variant_info&, racer other) : world(model_variants{}, initial_pmd::thp), other(other) {
        get_page(world.thp);  // the migrator's isolation reference
    }

    void run_thread(int index) override {
        mm_struct* mm = world.mm.get();
        if (index == 0) {
            kernel::down_read(&mm->mmap_lock);
            const int ret = migrate_pages(world.thp, &world.vma, 0);
            kernel::up_read(&mm->mmap_lock);
            if (ret != 0) put_page(world.thp);  // putback_movable_pages()
            return;
        }
        if (other == racer::store) {
            if (hw_access(mm, migration_store_address, true) == hw_access_result::done) {
                stored = true;
                return;
            }
            do_user_addr_fault(mm, migration_store_address, FAULT_FLAG_WRITE);
            stored = hw_access(mm, migration_store_address, true) == hw_access_result::done;
            return;
        }
        kernel::down_read(&mm->mmap_lock);
        madvise_dontneed_single_vma(&world.vma, 0, PMD_SIZE);
        kernel::up_read(&mm->mmap_lock);
    }

    void finish() override {
        check_page_tables(world.mm.get());
        check_anon_accounting(world.mm.get());
        if (!stored) return;
        // The old folio or the new one, but mapped huge and writable.
        const pmd_t pmd = deref(world.pmd);
        if (!pmd_trans_huge(pmd) || !pmd_write(pmd))
            kernel::report_violation(kernel::violation_kind::accounting,
                                     "the store completed, but the pmd is not a writable huge mapping");
    }

    anon_world world;
    racer other;
    bool stored = false;
};

std::vector<variant_info> migration_variants() {
    return {{"v6.6", "mm/migrate.c, mm/huge_memory.c v6.6: pmd migration entries (CONFIG_ARCH_ENABLE_THP_MIGRATION)",
             std::nullopt}};
}

const scenario_registration vs_store{
    [] {
        scenario_info info;
        info.name = "thp-migrate-pages-vs-store";
        info.summary = "migrate_pages() moves a THP through a pmd migration entry while a store faults on it";
        info.source = "mm/migrate.c, mm/huge_memory.c v6.6 (set_pmd_migration_entry, pmd_migration_entry_wait)";
        info.threads = 2;
        info.variants = migration_variants();
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> {
        return std::make_unique<thp_migration_instance>(v, racer::store);
    }};

const scenario_registration migration_vs_dontneed{
    [] {
        scenario_info info;
        info.name = "thp-migrate-pages-vs-dontneed";
        info.summary = "migrate_pages() moves a THP through a pmd migration entry while MADV_DONTNEED zaps the pmd";
        info.source = "mm/migrate.c, mm/huge_memory.c v6.6 (set_pmd_migration_entry, zap_huge_pmd)";
        info.threads = 2;
        info.variants = migration_variants();
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> {
        return std::make_unique<thp_migration_instance>(v, racer::dontneed);
    }};

}  // namespace

MMCHECK_ENGINE_END
