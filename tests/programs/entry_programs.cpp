// Seam programs for the revalidate-after-locking check (model/kernel/revalidate.h)
// on a marked entry guarded by a lock, as model/mm/pgtable.cpp reports page-table
// entries: a must-fail program and its must-pass counterparts.
#include "model/kernel/primitives.h"
#include "model/mm/pgtable.h"
#include "scenarios/cpp/s4_anon_world.h"
#include "tests/programs/selftest.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace kernel;
using selftests::make;
using selftests::selftest;

// An entry and its lock, accessed as the page-table accessors do.
struct guarded_entry {
    spinlock_t ptl{{"ptl"}};
    marked<long> value{0, {"entry"}};

    long read() {
        const long v = READ_ONCE(value);
        note_entry_read(&value);
        return v;
    }
    void write(long v) {
        check_entry_write(&value, &ptl, value.name(), "WRITE_ONCE", std::source_location::current());
        WRITE_ONCE(value, v);
        note_entry_read(&value);
    }
};

// Both threads populate the entry if they saw it empty: thread 0 decides on
// its lockless snapshot and writes under the lock without looking again (the
// 2017 migrate_vma_insert_page() shape), so it may overwrite thread 1's value.
struct populate_without_recheck : scenario_instance {
    guarded_entry e;
    void run_thread(int index) override {
        if (e.read() != 0) return;
        spin_lock(&e.ptl);
        if (index == 1 && e.read() != 0) {
            spin_unlock(&e.ptl);
            return;
        }
        e.write(index + 1);
        spin_unlock(&e.ptl);
    }
};

// The kernel's form: the lockless look only picks the path; under the lock the
// entry is read again (pmd_none() in pmd_install()) before it is written.
struct populate_with_recheck : scenario_instance {
    guarded_entry e;
    void run_thread(int index) override {
        if (e.read() != 0) return;
        spin_lock(&e.ptl);
        if (e.read() == 0) e.write(index + 1);
        spin_unlock(&e.ptl);
    }
};

// A thread writes the entry twice in one hold after one re-check: the second
// write follows its own first one, whose value it knows.
struct write_twice_after_recheck : scenario_instance {
    guarded_entry e;
    void run_thread(int index) override {
        spin_lock(&e.ptl);
        if (e.read() == 0) {
            e.write(-1);
            e.write(index + 1);
        }
        spin_unlock(&e.ptl);
    }
};

// A read in an earlier hold of the same lock does not count: the lock was
// dropped in between.
struct recheck_in_an_earlier_hold : scenario_instance {
    guarded_entry e;
    void run_thread(int index) override {
        spin_lock(&e.ptl);
        const long seen = e.read();
        spin_unlock(&e.ptl);
        spin_lock(&e.ptl);
        if (seen == 0) e.write(index + 1);
        spin_unlock(&e.ptl);
    }
};

// The same on a real pmd, through model/mm/pgtable.cpp: both threads install a
// pte table on an empty pmd as pmd_install() does, one of them (or neither)
// without the pmd_none() re-check under the pmd lock.
template <bool Recheck>
struct pmd_install_on_snapshot : scenario_instance {
    s4_world::anon_world world{mm::model_variants{}, s4_world::initial_pmd::none};
    mm::page* tables[2] = {mm::pte_alloc_one(world.mm.get()), mm::pte_alloc_one(world.mm.get())};

    void run_thread(int index) override {
        mm::mm_struct* mm = world.mm.get();
        if (!mm::pmd_none(mm::pmdp_get_lockless(world.pmd))) return;
        spinlock_t* ptl = mm::pmd_lock(mm, world.pmd);
        if ((Recheck || index == 1) && !mm::pmd_none(mm::pmdp_get(world.pmd))) {
            spin_unlock(ptl);
            return;
        }
        mm::mm_inc_nr_ptes(mm);
        mm::pmd_populate(mm, world.pmd, tables[index]);
        spin_unlock(ptl);
    }
};

const scenario_registration entry_registrations[] = {
    {selftest("selftest/pmd-install-on-snapshot", "pmd_populate() under the pmd lock on a lockless pmd_none()",
              violation_kind::stale_revalidation),
     &make<pmd_install_on_snapshot<false>>},
    {selftest("selftest/pmd-install-rechecked", "pmd_populate() after pmd_none() under the pmd lock", std::nullopt),
     &make<pmd_install_on_snapshot<true>>},
    {selftest("selftest/populate-without-recheck", "an entry written under its lock on a lockless snapshot",
              violation_kind::stale_revalidation),
     &make<populate_without_recheck>},
    {selftest("selftest/recheck-in-an-earlier-hold", "an entry re-read under its lock, written in the next hold",
              violation_kind::stale_revalidation),
     &make<recheck_in_an_earlier_hold>},
    {selftest("selftest/populate-with-recheck", "an entry re-read under its lock before it is written", std::nullopt),
     &make<populate_with_recheck>},
    {selftest("selftest/write-twice-after-recheck", "two writes in one hold after one re-check", std::nullopt),
     &make<write_twice_after_recheck>},
};

}  // namespace

MMCHECK_ENGINE_END
