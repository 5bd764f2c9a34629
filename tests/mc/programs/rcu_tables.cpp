// Programs over RCU and a page table that is freed under a lockless walker, for
// the mc engine's blocking grace periods and table use-after-free detection
// (self-test scenarios "selftest/mc/table-..." and "selftest/mc/grace-period-...").
// Thread 0 walks as GUP-fast does: it reads whether the pte table is still linked,
// then an entry of it. Thread 1 unlinks the table and frees it, at once or after
// a grace period.
#include "model/mm/page.h"
#include "model/mm/pgtable.h"
#include "model/mm/pgtable_generic.h"
#include "scenarios/body.h"
#include "tests/programs/selftest.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace kernel;

enum class freeing { at_once, after_synchronize_rcu, by_call_rcu };

template <freeing How>
struct table_freed_under_walker : scenario_instance {
    mm::mem_map memory{8};
    mm::page* table = mm::alloc_pages(memory, mm::page_use::pte_table);
    marked<long> linked{1, {"linked"}};  // stands for the pmd entry naming the table

    void run_thread(int t) override {
        const bool rcu = How != freeing::at_once;
        if (t == 0) {
            if (rcu) rcu_read_lock();
            if (READ_ONCE(linked)) (void)mm::ptep_get(mm::pte_handle(table, 0));
            if (rcu) rcu_read_unlock();
            return;
        }
        WRITE_ONCE(linked, 0);
        if (How == freeing::by_call_rcu) {
            mm::pte_free_defer(nullptr, table);
            return;
        }
        if (How == freeing::after_synchronize_rcu) synchronize_rcu();
        mm::pte_free(nullptr, table);
    }
};

// T0 holds a spinlock across synchronize_rcu() | T1 wants it inside rcu_read_lock():
// the grace period waits for T1, T1 for the lock. A deadlock, not a livelock: the
// grace-period wait is a blocking wait of the mc engine.
struct grace_period_deadlock : scenario_instance {
    spinlock_t lock{{"lock"}};
    void run_thread(int t) override {
        if (t == 0) {
            spin_lock(&lock);
            synchronize_rcu();
            spin_unlock(&lock);
            return;
        }
        rcu_read_lock();
        spin_lock(&lock);
        spin_unlock(&lock);
        rcu_read_unlock();
    }
};

using selftests::make;

scenario_info program(const char* name, std::optional<violation_kind> expected) {
    scenario_info info;
    info.name = name;
    info.summary = "mc engine test program (RCU, freed tables)";
    info.source = "tests/mc/programs/rcu_tables.cpp";
    info.threads = 2;
    info.variants = {{"default", expected ? "must fail" : "passes", expected}};
    info.bounds.relacy_search = "full";
    info.selftest = true;
    return info;
}

const scenario_registration rcu_tables_registrations[] = {
    {program("selftest/mc/table-freed-under-walker", violation_kind::table_use_after_free),
     &make<table_freed_under_walker<freeing::at_once>>},
    {program("selftest/mc/table-freed-after-synchronize-rcu", std::nullopt),
     &make<table_freed_under_walker<freeing::after_synchronize_rcu>>},
    {program("selftest/mc/table-freed-by-call-rcu", std::nullopt), &make<table_freed_under_walker<freeing::by_call_rcu>>},
    {program("selftest/mc/grace-period-deadlock", violation_kind::deadlock), &make<grace_period_deadlock>},
};

}  // namespace

MMCHECK_ENGINE_END
