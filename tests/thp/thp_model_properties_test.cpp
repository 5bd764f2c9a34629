// RapidCheck state machine over the anonymous-memory and THP model, single
// threaded: any sequence of read and write faults (THP, huge zero page when
// use_zero_page is on, zero page, COW), pmd splits, page splits
// (split_huge_page()), MADV_DONTNEED zaps, khugepaged collapses and whole-THP
// migrations (migrate_pages()) leaves every translation as a
// plain reference predicts, every table reachable exactly once with nr_ptes
// right (check_page_tables) and every page's refcount and mapcounts equal to
// its mappings (check_anon_accounting).
//
// The reference knows which mapping each page must have and when it must be a
// new page; which pfn the allocator picks it learns from the model, and then
// checks it stays put until an operation should change it.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <array>
#include <memory>
#include <set>

#include "model/arch/x86/fault.h"
#include "model/kernel/detail/execution.h"
#include "model/mm/huge_memory.h"
#include "model/mm/khugepaged.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/migrate.h"
#include "model/mm/mm_check.h"
#include "model/mm/pagemap.h"
#include "model/mm/rmap.h"

namespace {

using namespace mmcheck;
using namespace mmcheck::mm;

constexpr unsigned nr_pmds = 2;
constexpr unsigned nr_vpages = nr_pmds * HPAGE_PMD_NR;

// huge_zero: the pmd maps the huge zero page (read-only, zero, huge).
enum class pmd_state { none, table, huge, huge_zero };

// The reference: what each virtual page maps, without pfns.
struct ref_page {
    bool mapped = false;
    bool writable = false;
    bool huge = false;
    bool zero = false;      // the shared zero page (the huge one when huge)
    unsigned version = 0;   // bumped whenever the page must be a different page
};
struct reference {
    std::array<ref_page, nr_vpages> pages{};
    std::array<pmd_state, nr_pmds> pmds{};
    bool use_zero_page = false;  // /sys/kernel/mm/transparent_hugepage/use_zero_page
};

struct translation {
    bool mapped = false;
    unsigned long pfn = 0;
    bool writable = false;
    bool huge = false;
};

// The system under test: one mm with one anonymous VM_HUGEPAGE VMA of two pmds,
// on its own execution of the native seam.
struct model_system {
    explicit model_system(bool use_zero_page) : memory(64) {
        memory.transparent_hugepage_use_zero_page = use_zero_page;
        exec.reset(1, false);
        kernel::detail::current_execution() = &exec;
        mm = std::make_unique<mm_struct>(memory, variants);
        vma.vm_start = 0;
        vma.vm_end = nr_pmds * PMD_SIZE;
        vma.vm_mm = mm.get();
        vma.vm_flags = VM_READ | VM_WRITE | VM_HUGEPAGE;
        vma.anonymous = true;
        mm->vmas.push_back(&vma);
    }
    ~model_system() { kernel::detail::current_execution() = nullptr; }

    pmdp_t pmd_of(unsigned long addr) {
        const pgdp_t pgd = pgd_offset(mm.get(), addr);
        if (pgd_val(deref(pgd)) == 0) return {};
        const pudp_t pud = pud_offset(pgd, addr);
        if (pud_none(deref(pud))) return {};
        return pmd_offset(pud, addr);
    }

    translation translate(unsigned long addr) {
        const pmdp_t pmd = pmd_of(addr);
        if (!pmd.table) return {};
        const pmd_t pmdv = deref(pmd);
        if (pmd_none(pmdv)) return {};
        if (pmd_trans_huge(pmdv)) return {true, pmd_pfn(pmdv) + pte_index(addr), pmd_write(pmdv), true};
        const pte_t pte = deref(pte_offset_map(pmd, addr));
        if (!pte_present(pte)) return {};
        return {true, pte_pfn(pte), pte_write(pte), false};
    }

    kernel::detail::execution exec;
    model_variants variants;
    mem_map memory;
    std::unique_ptr<mm_struct> mm;
    vm_area_struct vma;
    std::array<unsigned long, nr_vpages> pfns{};  // learned from the model
};

// Runs model code; a violation it reports fails the property with its message.
template <class F>
void in_model(model_system& s, F&& body) {
    try {
        body();
    } catch (const kernel::backend::execution_aborted&) {
        RC_FAIL("model violation: " + (s.exec.violation ? s.exec.violation->message : std::string("?")));
    }
}

// After every command: translations against the reference, pfns stable unless
// remapped, fresh pages distinct, and the end-of-run censuses.
void check_against(model_system& s, const reference& before, const reference& after) {
    std::set<unsigned long> seen;
    for (unsigned v = 0; v < nr_vpages; ++v) {
        const translation t = s.translate(v * PAGE_SIZE);
        const ref_page& want = after.pages[v];
        RC_ASSERT(t.mapped == want.mapped);
        if (!t.mapped) continue;
        RC_ASSERT(t.writable == want.writable);
        RC_ASSERT(t.huge == want.huge);
        if (want.zero && want.huge) {
            RC_ASSERT(t.pfn == s.memory.huge_zero.huge_zero_pfn.latest_value() + v % HPAGE_PMD_NR);
            RC_ASSERT(pfn_to_page(s.memory, t.pfn - v % HPAGE_PMD_NR)->use == page_use::huge_zero);
        } else if (want.zero) {
            RC_ASSERT(is_zero_pfn(t.pfn));
        } else {
            RC_ASSERT(!is_zero_pfn(t.pfn));
            RC_ASSERT(seen.insert(t.pfn).second);  // one mapping per private page
        }
        if (before.pages[v].mapped && before.pages[v].version == want.version) RC_ASSERT(t.pfn == s.pfns[v]);
        if (want.huge && v % HPAGE_PMD_NR == 0) RC_ASSERT(t.pfn % HPAGE_PMD_NR == 0);
        if (want.huge && v % HPAGE_PMD_NR != 0) RC_ASSERT(t.pfn == s.translate((v - 1) * PAGE_SIZE).pfn + 1);
        s.pfns[v] = t.pfn;
    }
    in_model(s, [&] {
        check_page_tables(s.mm.get());
        check_anon_accounting(s.mm.get());
    });
}

using command = rc::state::Command<reference, model_system>;

void remap(ref_page& p, bool writable, bool huge, bool zero) {
    p.mapped = true;
    p.writable = writable;
    p.huge = huge;
    p.zero = zero;
    ++p.version;
}

// A huge pmd becomes a table of the same pages; the huge zero page's becomes
// small zero-page ptes (__split_huge_zero_page_pmd()).
void split_pmd(reference& m, unsigned pmd) {
    const bool zero = m.pmds[pmd] == pmd_state::huge_zero;
    m.pmds[pmd] = pmd_state::table;
    for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
        ref_page& p = m.pages[pmd * HPAGE_PMD_NR + i];
        if (zero) remap(p, false, false, true);
        else p.huge = false;
    }
}
bool is_huge(pmd_state s) { return s == pmd_state::huge || s == pmd_state::huge_zero; }

struct fault : command {
    unsigned vpage = *rc::gen::inRange(0u, nr_vpages);
    bool write = *rc::gen::arbitrary<bool>();

    void apply(reference& m) const override {
        const unsigned pmd = vpage / HPAGE_PMD_NR;
        ref_page& p = m.pages[vpage];
        if (m.pmds[pmd] == pmd_state::none && !write && m.use_zero_page) {
            // do_huge_pmd_anonymous_page(): the huge zero page, read-only.
            for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) remap(m.pages[pmd * HPAGE_PMD_NR + i], false, true, true);
            m.pmds[pmd] = pmd_state::huge_zero;
        } else if (m.pmds[pmd] == pmd_state::none) {
            // do_huge_pmd_anonymous_page(): a writable THP.
            for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) remap(m.pages[pmd * HPAGE_PMD_NR + i], true, true, false);
            m.pmds[pmd] = pmd_state::huge;
        } else if (m.pmds[pmd] == pmd_state::huge_zero) {
            // do_huge_pmd_wp_page(): split, then do_wp_page() copies the zero page.
            if (!write) return;
            split_pmd(m, pmd);
            remap(p, true, false, false);
        } else if (!p.mapped) {
            if (write) remap(p, true, false, false);  // do_anonymous_page(): a new page
            else remap(p, false, false, true);        // the zero page
        } else if (write && !p.writable) {
            remap(p, true, false, false);  // wp_page_copy() of the zero page
        }
    }
    void run(const reference& m, model_system& s) const override {
        in_model(s, [&] { do_user_addr_fault(s.mm.get(), vpage * PAGE_SIZE + 8, write ? FAULT_FLAG_WRITE : 0); });
        reference next = m;
        apply(next);
        check_against(s, m, next);
    }
    void show(std::ostream& os) const override { os << (write ? "write" : "read") << " fault on page " << vpage; }
};

struct split : command {
    unsigned pmd = *rc::gen::inRange(0u, nr_pmds);

    void apply(reference& m) const override {
        if (is_huge(m.pmds[pmd])) split_pmd(m, pmd);
    }
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

// split_huge_page() of the THP folio the pmd's range maps (by its pmd, or by
// ptes after a pmd split): every page keeps its pfn and permission, the pmd
// becomes a table. The reference does not know folios; the model says whether
// a page of the range is still part of one, and the censuses check the counts
// (a subpage zapped earlier is freed by the split).
struct split_page : command {
    unsigned pmd = *rc::gen::inRange(0u, nr_pmds);

    void apply(reference& m) const override {
        if (m.pmds[pmd] != pmd_state::huge) return;
        m.pmds[pmd] = pmd_state::table;
        for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) m.pages[pmd * HPAGE_PMD_NR + i].huge = false;
    }
    // A mapped page of the range that belongs to an anonymous THP folio (not
    // the huge zero page), if any.
    static page* thp_page(model_system& s, unsigned pmd) {
        for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
            const translation t = s.translate((pmd * HPAGE_PMD_NR + i) * PAGE_SIZE);
            if (!t.mapped || is_zero_pfn(t.pfn)) continue;
            page* p = pfn_to_page(s.memory, t.pfn);
            if (compound_order(p) > 0 && compound_head(p)->use == page_use::anon) return p;
        }
        return nullptr;
    }
    void run(const reference& m, model_system& s) const override {
        page* p = thp_page(s, pmd);
        RC_ASSERT((m.pmds[pmd] == pmd_state::huge) <= (p != nullptr));
        int ret = 0;
        in_model(s, [&] {
            if (!p) return;
            kernel::down_read(&s.mm->mmap_lock);
            get_page(p);
            lock_page(compound_head(p));  // lock_page() of a page locks its folio: the head
            ret = split_huge_page(p, &s.vma, pmd * PMD_SIZE);
            unlock_page(p);  // now a folio of its own, still locked
            put_page(p);
            kernel::up_read(&s.mm->mmap_lock);
        });
        RC_ASSERT(ret == 0);
        if (p) RC_ASSERT(thp_page(s, pmd) == nullptr);
        reference next = m;
        apply(next);
        check_against(s, m, next);
    }
    void show(std::ostream& os) const override { os << "split_huge_page in pmd " << pmd; }
};

struct dontneed : command {
    unsigned first = *rc::gen::inRange(0u, nr_vpages);
    unsigned count = *rc::gen::inRange(1u, nr_vpages - first + 1);

    void apply(reference& m) const override {
        for (unsigned pmd = 0; pmd < nr_pmds; ++pmd) {
            const unsigned lo = pmd * HPAGE_PMD_NR, hi = lo + HPAGE_PMD_NR;
            const unsigned from = std::max(lo, first), to = std::min(hi, first + count);
            if (from >= to) continue;
            if (is_huge(m.pmds[pmd]) && from == lo && to == hi) {
                m.pmds[pmd] = pmd_state::none;  // zap_huge_pmd()
            } else if (is_huge(m.pmds[pmd])) {
                split_pmd(m, pmd);  // __split_huge_pmd(), then zap_pte_range()
            }
            for (unsigned v = from; v < to; ++v) m.pages[v] = ref_page{false, false, false, false, m.pages[v].version + 1};
        }
    }
    void run(const reference& m, model_system& s) const override {
        in_model(s, [&] {
            kernel::down_read(&s.mm->mmap_lock);
            madvise_dontneed_single_vma(&s.vma, first * PAGE_SIZE, (first + count) * PAGE_SIZE);
            kernel::up_read(&s.mm->mmap_lock);
        });
        reference next = m;
        apply(next);
        check_against(s, m, next);
    }
    void show(std::ostream& os) const override { os << "MADV_DONTNEED pages " << first << ".." << first + count - 1; }
};

struct collapse : command {
    unsigned pmd = *rc::gen::inRange(0u, nr_pmds);

    // __collapse_huge_page_isolate(): at least one pte maps a real page.
    bool succeeds(const reference& m) const {
        if (m.pmds[pmd] != pmd_state::table) return false;
        for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
            const ref_page& p = m.pages[pmd * HPAGE_PMD_NR + i];
            if (p.mapped && !p.zero) return true;
        }
        return false;
    }
    void apply(reference& m) const override {
        if (!succeeds(m)) return;
        m.pmds[pmd] = pmd_state::huge;
        for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) remap(m.pages[pmd * HPAGE_PMD_NR + i], true, true, false);
    }
    void run(const reference& m, model_system& s) const override {
        scan_result result = scan_result::SCAN_FAIL;
        in_model(s, [&] {
            kernel::down_read(&s.mm->mmap_lock);
            result = collapse_huge_page(s.mm.get(), pmd * PMD_SIZE);  // releases mmap_lock
        });
        RC_ASSERT((result == scan_result::SCAN_SUCCEED) == succeeds(m));
        reference next = m;
        apply(next);
        check_against(s, m, next);
    }
    void show(std::ostream& os) const override { os << "khugepaged collapse of pmd " << pmd; }
};

// migrate_pages() of the THP folio the pmd's range maps (by its pmd or by
// ptes): every page of the folio moves to a new pfn with its permission and
// huge mapping; the other pages of the range stay. Which pages belong to the
// folio the model says, as for split_page; the censuses check the counts.
struct migrate : command {
    unsigned pmd = *rc::gen::inRange(0u, nr_pmds);

    void apply(reference&) const override {}  // translations keep their kind
    void run(const reference& m, model_system& s) const override {
        page* p = split_page::thp_page(s, pmd);
        RC_ASSERT((m.pmds[pmd] == pmd_state::huge) <= (p != nullptr));
        if (!p) return;
        page* folio = compound_head(p);
        // The pages that move: their pfns may change, the others' may not.
        reference before = m;
        std::array<unsigned long, HPAGE_PMD_NR> old_pfns{};
        for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
            const unsigned v = pmd * HPAGE_PMD_NR + i;
            old_pfns[i] = s.translate(v * PAGE_SIZE).pfn;
            if (m.pages[v].mapped && compound_head(pfn_to_page(s.memory, old_pfns[i])) == folio) ++before.pages[v].version;
        }
        int ret = -1;
        in_model(s, [&] {
            kernel::down_read(&s.mm->mmap_lock);
            get_page(folio);  // isolation, dropped by a successful migration
            ret = migrate_pages(folio, &s.vma, pmd * PMD_SIZE);
            kernel::up_read(&s.mm->mmap_lock);
        });
        RC_ASSERT(ret == 0);  // single threaded: no other reference
        for (unsigned i = 0; i < HPAGE_PMD_NR; ++i) {
            const unsigned v = pmd * HPAGE_PMD_NR + i;
            if (before.pages[v].version != m.pages[v].version) RC_ASSERT(s.translate(v * PAGE_SIZE).pfn != old_pfns[i]);
        }
        check_against(s, before, m);
    }
    void show(std::ostream& os) const override { os << "migrate_pages of the THP in pmd " << pmd; }
};

RC_GTEST_PROP(ThpModel, OperationSequencesMatchTheReference, (bool use_zero_page)) {
    model_system s(use_zero_page);
    reference initial;
    initial.use_zero_page = use_zero_page;
    rc::state::check(initial, s,
                     rc::state::gen::execOneOfWithArgs<fault, split, split_page, dontneed, collapse, migrate>());
}

// A fixed sequence that must reach every branch the property relies on, so a
// generator change cannot silently stop exercising them.
TEST(ThpModel, SplitThenCollapseRoundTrip) {
    model_system s(false);
    auto run = [&](auto&& body) {
        try {
            body();
        } catch (const kernel::backend::execution_aborted&) {
            FAIL() << s.exec.violation->message;
        }
    };
    run([&] { do_user_addr_fault(s.mm.get(), 0, FAULT_FLAG_WRITE); });
    const translation huge = s.translate(PAGE_SIZE);
    ASSERT_TRUE(huge.mapped && huge.huge && huge.writable);
    run([&] {
        kernel::down_read(&s.mm->mmap_lock);
        split_huge_pmd(&s.vma, s.pmd_of(0), 0);
        kernel::up_read(&s.mm->mmap_lock);
    });
    const translation split_pte = s.translate(PAGE_SIZE);
    EXPECT_TRUE(split_pte.mapped && !split_pte.huge);
    EXPECT_EQ(split_pte.pfn, huge.pfn);
    scan_result result = scan_result::SCAN_FAIL;
    run([&] {
        kernel::down_read(&s.mm->mmap_lock);
        result = collapse_huge_page(s.mm.get(), 0);
    });
    EXPECT_EQ(result, scan_result::SCAN_SUCCEED);
    EXPECT_TRUE(s.translate(PAGE_SIZE).huge);
    run([&] {
        check_page_tables(s.mm.get());
        check_anon_accounting(s.mm.get());
    });
}

}  // namespace
