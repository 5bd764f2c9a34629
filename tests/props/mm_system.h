// The system under test of the mm sequence property: one mm with two
// anonymous VM_HUGEPAGE | VM_MERGEABLE VMAs on the native seam, and the check
// that compares it, after every command, with the reference (mm_reference.h):
// translations and the frames' pfns, pmd slots, VMAs (range, VM_WRITE, pgoff), every page's refcount,
// mapcount and PageKsm, which pages the allocator has handed out, and the
// model's own censuses (check_page_tables, check_anon_accounting,
// check_no_mapping_outside_vmas).
#pragma once

#include <rapidcheck.h>

#include <map>
#include <set>
#include <string>

#include "model/mm/mm_check.h"
#include "model/mm/rmap.h"
#include "tests/common/model_world.h"
#include "tests/props/mm_reference.h"

namespace mm_props {

using namespace model_test;

constexpr unsigned long vm_flags = VM_READ | VM_WRITE | VM_HUGEPAGE | VM_MERGEABLE;
// The VMAs a sequence starts with: 3 and 2 pmds, 3 pmds apart.
constexpr ref_vma initial_vmas[] = {{0, 12}, {24, 32}};
// Room for every data page of the window, its tables and THP alignment.
constexpr unsigned long nr_physical_pages = 512;

inline unsigned long addr_of(unsigned vpage) { return vpage * PAGE_SIZE; }

inline reference initial_reference() {
    reference r;
    for (const ref_vma& v : initial_vmas) r.vmas.push_back(v);
    return r;
}

struct mm_system : model_world {
    mm_system() : model_world(nr_physical_pages) {
        for (std::size_t i = 0; i < std::size(initial_vmas); ++i) {
            init_anon_vma(owned[i], mm.get(), addr_of(initial_vmas[i].start), addr_of(initial_vmas[i].end), vm_flags);
            mm->vmas.push_back(&owned[i]);
        }
    }

    vm_area_struct* vma_at(unsigned vpage) { return find_vma(mm.get(), addr_of(vpage)); }
    page* page_mapped_at(unsigned vpage) { return page_at(translate(addr_of(vpage)).pfn); }

    vm_area_struct owned[std::size(initial_vmas)];
    std::map<unsigned, unsigned long> frame_pfn;   // learned from the model
    std::map<unsigned, unsigned long> folio_base;  // first pfn of each THP folio
};

// Runs model code; a violation it reports fails the property with its message.
template <class F>
void in_model(mm_system& s, F&& body) {
    const std::string found = s.violation_of(body);
    if (!found.empty()) RC_FAIL("model violation: " + found);
}

// The pfn of every mapped frame: the one learned before, or learned now.
inline void check_translations(mm_system& s, const reference& r) {
    for (unsigned v = 0; v < window_pages; ++v) {
        const translation t = s.translate(addr_of(v));
        const ref_pte& want = r.pages[v];
        RC_ASSERT(!t.migration_entry);
        RC_ASSERT(t.mapped == want.mapped);
        if (!t.mapped) continue;
        RC_ASSERT(t.writable == want.writable);
        RC_ASSERT(t.huge == want.huge);
        RC_ASSERT(t.protnone == want.numa);
        RC_ASSERT(is_zero_pfn(t.pfn) == want.zero);
        if (want.zero) continue;
        const auto known = s.frame_pfn.try_emplace(want.frame, t.pfn).first;
        RC_ASSERT(known->second == t.pfn);
        const ref_frame& f = r.frames.at(want.frame);
        if (f.folio != 0) {
            const auto base = s.folio_base.try_emplace(f.folio, t.pfn - f.subpage).first;
            RC_ASSERT(base->second + f.subpage == t.pfn);
            RC_ASSERT(base->second % HPAGE_PMD_NR == 0);
        }
    }
    // Live frames are distinct pages.
    std::set<unsigned long> live;
    for (const auto& [id, f] : r.frames) RC_ASSERT(live.insert(s.frame_pfn.at(id)).second);
}

// Every page's counts are the reference's mappings of it: pte mappings in its
// _mapcount, pmd mappings of its folio in _entire_mapcount, both in the
// folio's refcount; and only the pages the reference holds are allocated.
inline void check_pages(mm_system& s, const reference& r) {
    std::map<unsigned, long> pte_maps;    // per frame
    std::map<unsigned, long> pmd_maps;    // per folio
    std::map<unsigned long, long> refs;   // per folio head pfn
    for (unsigned v = 0; v < window_pages; ++v) {
        const ref_pte& p = r.pages[v];
        if (!p.mapped || p.zero) continue;
        const ref_frame& f = r.frames.at(p.frame);
        const unsigned long head = f.folio ? s.folio_base.at(f.folio) : s.frame_pfn.at(p.frame);
        if (!p.huge) {
            ++pte_maps[p.frame];
            ++refs[head];
        } else if (f.subpage == 0) {
            ++pmd_maps[f.folio];
            ++refs[head];
        }
    }
    std::set<unsigned long> allocated;
    for (const auto& [id, f] : r.frames) {
        page* p = s.page_at(s.frame_pfn.at(id));
        const long entire = f.folio && pmd_maps.contains(f.folio) ? pmd_maps.at(f.folio) : 0;
        RC_ASSERT(page_mapcount(p) == pte_maps[id] + entire);
        RC_ASSERT(PageKsm(p) == f.ksm);
        RC_ASSERT(compound_order(p) == (f.folio ? TABLE_INDEX_BITS : 0u));
        const unsigned long head = f.folio ? s.folio_base.at(f.folio) : s.frame_pfn.at(id);
        RC_ASSERT(page_count(p) == refs.at(head));
        for (unsigned long i = 0; i < (f.folio ? HPAGE_PMD_NR : 1); ++i) allocated.insert(head + i);
    }
    for (unsigned long pfn = 0; pfn < s.memory.nr_pages; ++pfn) {
        const page_use use = s.memory.pages[pfn]->use;
        const bool data = use == page_use::anon || use == page_use::tail;
        RC_ASSERT(data == allocated.contains(pfn));
    }
}

inline void check_tables_and_vmas(mm_system& s, const reference& r) {
    for (unsigned pmd = 0; pmd < window_pmds; ++pmd) {
        const pmdp_t slot = s.pmd_of(addr_of(pmd * pmd_pages));
        pmd_state got = pmd_state::none;
        if (slot.table && !pmd_none(deref(slot)))
            got = pmd_trans_huge(deref(slot)) ? pmd_state::huge : pmd_state::table;
        RC_ASSERT(got == r.pmds[pmd]);
    }
    RC_ASSERT(s.mm->vmas.size() == r.vmas.size());
    for (std::size_t i = 0; i < r.vmas.size(); ++i) {
        RC_ASSERT(s.mm->vmas[i]->vm_start == addr_of(r.vmas[i].start));
        RC_ASSERT(s.mm->vmas[i]->vm_end == addr_of(r.vmas[i].end));
        RC_ASSERT(bool(s.mm->vmas[i]->vm_flags & VM_WRITE) == r.vmas[i].writable);
        RC_ASSERT(s.mm->vmas[i]->vm_pgoff == r.vmas[i].pgoff);
    }
}

// After every command.
inline void check_against(mm_system& s, const reference& r) {
    check_translations(s, r);
    check_pages(s, r);
    check_tables_and_vmas(s, r);
    for (auto& p : s.memory.pages) RC_ASSERT(!kernel::detail::holds(&p->PG_locked));
    in_model(s, [&] {
        check_page_tables(s.mm.get());
        check_anon_accounting(s.mm.get());
        check_no_mapping_outside_vmas(s.mm.get());
    });
}

}  // namespace mm_props
