// Seam programs for the no-lying-intermediate-value check
// (model/kernel/detail/intermediate_values.h): on a word with a test
// classifier, and on real pmd and pte entries through model/mm/pgtable.cpp.
// Each must-fail program has must-pass counterparts that differ in one rule.
#include <string>

#include "model/kernel/intermediate.h"
#include "model/kernel/primitives.h"
#include "model/mm/pgtable.h"
#include "model/mm/pgtable_generic.h"
#include "scenarios/cpp/s4_anon_world.h"
#include "tests/programs/selftest.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace kernel;
using selftests::make;
using selftests::selftest;

// Three classes a reader tells apart: 0, below 100, and the rest.
const char* classify_word(std::uint64_t v) { return v == 0 ? "none" : v < 100 ? "small" : "large"; }
std::string describe_word(std::uint64_t v) { return std::to_string(v); }
const entry_classes word_classes{&classify_word, &describe_word, "word"};

// A word and its lock, reported to the check as the page-table accessors do.
struct guarded_word {
    spinlock_t lock{{"lock"}};
    marked<long> value{5, {"word"}};

    void read() {
        const long v = READ_ONCE(value);
        note_entry_load(&value, std::uint64_t(v), std::source_location::current());
    }
    void write(long v) {
        const long before = value.latest_value();
        WRITE_ONCE(value, v);
        note_locked_entry_write(&value, &lock, value.name(), std::uint64_t(before), std::uint64_t(v), word_classes,
                                std::source_location::current());
    }
};

// Thread 0 rewrites the word under its lock through a value of a third class
// (5 -> 0 -> 7: small, none, small); thread 1 reads it without the lock and
// may see the 0.
template <long Intermediate, long Final, bool OneHoldEach>
struct rewrite_word : scenario_instance {
    guarded_word w;
    void run_thread(int index) override {
        if (index == 1) {
            w.read();
            return;
        }
        spin_lock(&w.lock);
        w.write(Intermediate);
        if (OneHoldEach) {
            spin_unlock(&w.lock);
            spin_lock(&w.lock);
        }
        w.write(Final);
        spin_unlock(&w.lock);
    }
};

// The same on a real pmd mapping a THP: thread 0 rewrites it under the pmd
// lock as change_huge_pmd() did before and after ced108037c2a; thread 1 looks
// at it locklessly, as zap_pmd_range() does.
enum class pmd_rewrite { clear_then_set, invalidate_then_set };

template <pmd_rewrite Form>
struct rewrite_huge_pmd : scenario_instance {
    s4_world::anon_world world{mm::model_variants{}, s4_world::initial_pmd::thp};

    void run_thread(int index) override {
        mm::mm_struct* mm = world.mm.get();
        if (index == 1) {
            (void)mm::pmdp_get_lockless(world.pmd);
            return;
        }
        spinlock_t* ptl = mm::pmd_lock(mm, world.pmd);
        const mm::pmd_t old = Form == pmd_rewrite::clear_then_set
                                  ? mm::pmdp_huge_get_and_clear(mm, 0, world.pmd)
                                  : mm::pmdp_invalidate(&world.vma, 0, world.pmd);
        mm::set_pmd_at(mm, 0, world.pmd, mm::pmd_wrprotect(old));
        spin_unlock(ptl);
    }
};

// A pte rewritten in two steps under the ptl (ptep_modify_prot_start() and
// commit()): the kernel's protocol, a reader that sees pte_none() faults and
// waits for the ptl, so the check leaves ptes out.
struct rewrite_pte : scenario_instance {
    s4_world::anon_world world{mm::model_variants{}, s4_world::initial_pmd::pte_table};

    void run_thread(int index) override {
        mm::mm_struct* mm = world.mm.get();
        if (index == 1) {
            (void)mm::ptep_get(mm::pte_offset_map(world.pmd, 0));
            return;
        }
        spinlock_t* ptl = nullptr;
        const mm::ptep_t pte = mm::pte_offset_map_lock(mm, world.pmd, 0, &ptl);
        const mm::pte_t old = mm::ptep_get_and_clear(mm, 0, pte);
        mm::set_pte_at(mm, 0, pte, mm::pte_wrprotect(old));
        mm::pte_unmap_unlock(pte, ptl);
    }
};

const scenario_registration intermediate_registrations[] = {
    {selftest("selftest/lying-transient-class", "a word rewritten under its lock through a value of a third class",
              violation_kind::lying_value),
     &make<rewrite_word<0, 7, false>>},
    {selftest("selftest/transient-in-old-class", "a word rewritten under its lock through a value of its old class",
              std::nullopt),
     &make<rewrite_word<6, 200, false>>},
    {selftest("selftest/transient-in-new-class", "a word rewritten under its lock through a value of its new class",
              std::nullopt),
     &make<rewrite_word<300, 200, false>>},
    {selftest("selftest/single-write-per-hold", "a word written once in each of two holds of its lock", std::nullopt),
     &make<rewrite_word<0, 7, true>>},
    {selftest("selftest/pmd-clear-then-set", "a huge pmd cleared and set again under the pmd lock (v4.10)",
              violation_kind::lying_value),
     &make<rewrite_huge_pmd<pmd_rewrite::clear_then_set>>},
    {selftest("selftest/pmd-invalidate-then-set", "a huge pmd invalidated and set again under the pmd lock",
              std::nullopt),
     &make<rewrite_huge_pmd<pmd_rewrite::invalidate_then_set>>},
    {selftest("selftest/pte-clear-then-set", "a pte cleared and set again under the ptl", std::nullopt),
     &make<rewrite_pte>},
};

}  // namespace

MMCHECK_ENGINE_END
