// RapidCheck state machine over the anonymous-memory model with migrate_vma
// rounds, single threaded: any sequence of read and write faults (THP, zero
// page, COW), THP splits, MADV_DONTNEED zaps and migrate_vma rounds (setup,
// a destination for every MIGRATE entry, pages, finalize) leaves
// every translation as a plain reference predicts, no migration entry and no
// page lock behind, every table reachable once with nr_ptes right
// (check_page_tables) and every page's refcount and mapcounts equal to its
// mappings (check_anon_accounting): nothing leaked or freed twice.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <array>
#include <set>

#include "model/arch/x86/fault.h"
#include "model/mm/huge_memory.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/mm_check.h"
#include "tests/migrate/migrate_world.h"

namespace {

using namespace migrate_test;

enum class pmd_state { none, table, huge };

struct ref_page {
    bool mapped = false;
    bool writable = false;
    bool huge = false;
    bool zero = false;
    bool compound = false;  // a subpage of a THP (pmd- or pte-mapped)
    unsigned version = 0;   // bumped whenever the page must be a different page
};
struct reference {
    std::array<ref_page, nr_vpages> pages{};
    std::array<pmd_state, nr_pmds> pmds{};
};

struct model_system : migrate_world {
    model_system() : migrate_world(true) {}
    std::array<unsigned long, nr_vpages> pfns{};  // learned from the model
};

template <class F>
void in_model(model_system& s, F&& body) {
    const std::string found = violation_of(s, body);
    if (!found.empty()) RC_FAIL("model violation: " + found);
}

void check_against(model_system& s, const reference& before, const reference& after) {
    std::set<unsigned long> seen;
    for (unsigned v = 0; v < nr_vpages; ++v) {
        const translation t = s.translate(v * PAGE_SIZE);
        const ref_page& want = after.pages[v];
        RC_ASSERT(!t.migration_entry);
        RC_ASSERT(t.mapped == want.mapped);
        if (!t.mapped) continue;
        RC_ASSERT(t.writable == want.writable);
        RC_ASSERT(t.huge == want.huge);
        RC_ASSERT(is_zero_pfn(t.pfn) == want.zero);
        if (!want.zero) RC_ASSERT(seen.insert(t.pfn).second);  // one mapping per private page
        if (before.pages[v].mapped && before.pages[v].version == want.version) RC_ASSERT(t.pfn == s.pfns[v]);
        if (before.pages[v].mapped && before.pages[v].version != want.version && !want.zero)
            RC_ASSERT(t.pfn != s.pfns[v]);
        s.pfns[v] = t.pfn;
    }
    RC_ASSERT(s.locked_pages().empty());
    in_model(s, [&] {
        check_page_tables(s.mm.get());
        check_anon_accounting(s.mm.get());
    });
}

using command = rc::state::Command<reference, model_system>;

void remap(ref_page& p, bool writable, bool huge, bool zero) {
    p = ref_page{true, writable, huge, zero, huge, p.version + 1};
}

struct fault : command {
    unsigned vpage = *rc::gen::inRange(0u, nr_vpages);
    bool write = *rc::gen::arbitrary<bool>();

    void apply(reference& m) const override {
        const unsigned pmd = vpage / HPAGE_PMD_NR;
        ref_page& p = m.pages[vpage];
        if (m.pmds[pmd] == pmd_state::none) {
            // do_huge_pmd_anonymous_page(): a writable THP (no huge zero page).
            for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) remap(m.pages[pmd * HPAGE_PMD_NR + i], true, true, false);
            m.pmds[pmd] = pmd_state::huge;
        } else if (!p.mapped) {
            remap(p, write, false, !write);  // do_anonymous_page(): a new page, or the zero page
        } else if (write && !p.writable) {
            remap(p, true, false, false);  // wp_page_copy() of the zero page
        }
    }
    void run(const reference& m, model_system& s) const override {
        in_model(s, [&] { do_user_addr_fault(s.mm.get(), vpage * PAGE_SIZE, write ? FAULT_FLAG_WRITE : 0); });
        reference next = m;
        apply(next);
        check_against(s, m, next);
    }
    void show(std::ostream& os) const override { os << (write ? "write" : "read") << " fault on page " << vpage; }
};

void split_in_reference(reference& m, unsigned pmd) {
    if (m.pmds[pmd] != pmd_state::huge) return;
    m.pmds[pmd] = pmd_state::table;
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) m.pages[pmd * HPAGE_PMD_NR + i].huge = false;
}

struct split : command {
    unsigned pmd = *rc::gen::inRange(0u, nr_pmds);

    void apply(reference& m) const override { split_in_reference(m, pmd); }
    void run(const reference& m, model_system& s) const override {
        in_model(s, [&] {
            kernel::down_read(&s.mm->mmap_lock);
            const pmdp_t p = s.pmd_of(pmd * PMD_SIZE);
            if (p.table) split_huge_pmd(&s.vma, p, pmd * PMD_SIZE);
            kernel::up_read(&s.mm->mmap_lock);
        });
        reference next = m;
        apply(next);
        check_against(s, m, next);
    }
    void show(std::ostream& os) const override { os << "split pmd " << pmd; }
};

struct dontneed : command {
    unsigned vpage = *rc::gen::inRange(0u, nr_vpages);

    void apply(reference& m) const override {
        split_in_reference(m, vpage / HPAGE_PMD_NR);  // __split_huge_pmd(), then zap_pte_range()
        m.pages[vpage] = ref_page{false, false, false, false, false, m.pages[vpage].version + 1};
    }
    void run(const reference& m, model_system& s) const override {
        in_model(s, [&] {
            kernel::down_read(&s.mm->mmap_lock);
            madvise_dontneed_single_vma(&s.vma, vpage * PAGE_SIZE, (vpage + 1) * PAGE_SIZE);
            kernel::up_read(&s.mm->mmap_lock);
        });
        reference next = m;
        apply(next);
        check_against(s, m, next);
    }
    void show(std::ostream& os) const override { os << "MADV_DONTNEED page " << vpage; }
};

// split_huge_page() of a pmd-mapped THP: every page of it becomes an order-0
// page, mapped where it was.
void split_folio_in_reference(reference& m, unsigned pmd) {
    if (m.pmds[pmd] != pmd_state::huge) return;
    split_in_reference(m, pmd);
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) m.pages[pmd * HPAGE_PMD_NR + i].compound = false;
}

// migrate_vma over up to seven pages (the driver then holds at most seven
// source and seven destination page locks and mmap_lock, within the checker's
// 16 a thread): holes and the zero page get a new writable page, mapped small
// pages a new page with the same permission. A pmd-mapped THP the range
// touches is split with split_huge_page() (v6.6), all of it, and its pages in
// the range are then migrated; a THP already split at the pmd (pte-mapped) is
// skipped ("FIXME support THP").
struct migrate : command {
    unsigned first = *rc::gen::inRange(0u, nr_vpages);
    unsigned count = *rc::gen::inRange(1u, std::min(7u, nr_vpages - first) + 1);

    void apply(reference& m) const override {
        for (unsigned v = first; v < first + count; ++v) split_folio_in_reference(m, v / HPAGE_PMD_NR);
        for (unsigned v = first; v < first + count; ++v) {
            m.pmds[v / HPAGE_PMD_NR] = pmd_state::table;
            ref_page& p = m.pages[v];
            if (!p.compound) remap(p, !p.mapped || p.zero || p.writable, false, false);
        }
    }
    void run(const reference& m, model_system& s) const override {
        migrate_round round(s, first * PAGE_SIZE, (first + count) * PAGE_SIZE);
        in_model(s, [&] { round.run(); });
        reference next = m;
        apply(next);
        check_against(s, m, next);
    }
    void show(std::ostream& os) const override {
        os << "migrate_vma round over pages " << first << ".." << first + count - 1;
    }
};

RC_GTEST_PROP(MigrateVmaModel, SequencesWithMigrationsMatchTheReference, ()) {
    model_system s;
    rc::state::check(reference{}, s, rc::state::gen::execOneOfWithArgs<fault, split, dontneed, migrate>());
}

}  // namespace
