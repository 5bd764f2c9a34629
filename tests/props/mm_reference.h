// The plain reference the mm sequence property checks the model against:
// per virtual page what it maps (which page, writable, huge, the zero page),
// per pmd slot whether it holds nothing, a pte table or a huge page, the VMAs,
// and per page which THP folio it belongs to and whether it is a KSM page.
// A mapping NUMA hinting made PROT_NONE is still mapped, to the same page.
// Pages are abstract "frames" the reference numbers itself; which pfn the
// allocator gives a frame the test learns from the model, then holds it to.
//
// Each operation below says what the kernel (v6.6, as the model follows it)
// does to a mapping; none of it reads the model.
#pragma once

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "model/mm/pgtable_types.h"

namespace mm_props {

using mmcheck::mm::HPAGE_PMD_NR;

// The virtual pages the test uses: one pgd entry (4 puds of 4 pmds).
constexpr unsigned window_pages = 64;
constexpr unsigned window_pmds = window_pages / HPAGE_PMD_NR;
constexpr unsigned pmd_pages = HPAGE_PMD_NR;
constexpr unsigned max_vmas = 8;  // vma_tree::capacity (model/mm/vma_tree.h)

enum class pmd_state { none, table, huge };

struct ref_vma {
    unsigned start = 0, end = 0;  // virtual pages [start, end)
    bool writable = true;         // VM_WRITE
    unsigned pgoff = start;       // vm_pgoff: the page index its start maps
};

struct ref_pte {
    bool mapped = false;  // a present pte or huge pmd (the zero page too)
    bool writable = false;
    bool huge = false;
    bool zero = false;
    unsigned frame = 0;  // which page; 0 for the zero page and when unmapped
    bool numa = false;   // PROT_NONE: change_prot_numa() made it so
};

struct ref_frame {
    unsigned folio = 0;    // the THP folio it is a page of; 0: an order-0 page
    unsigned subpage = 0;  // its index in that folio
    bool ksm = false;      // PageKsm
};

inline unsigned pmd_of(unsigned vpage) { return vpage / pmd_pages; }

struct reference {
    std::array<ref_pte, window_pages> pages{};
    std::array<pmd_state, window_pmds> pmds{};
    std::vector<ref_vma> vmas;            // by address
    std::map<unsigned, ref_frame> frames;  // the pages something maps
    unsigned next_frame = 1, next_folio = 1;

    std::optional<std::size_t> vma_index(unsigned vpage) const {
        for (std::size_t i = 0; i < vmas.size(); ++i)
            if (vmas[i].start <= vpage && vpage < vmas[i].end) return i;
        return std::nullopt;
    }
    bool in_vma(unsigned vpage) const { return vma_index(vpage).has_value(); }
    bool vma_writable(unsigned vpage) const { return vmas[*vma_index(vpage)].writable; }
    // [first, end) lies in one VMA.
    bool in_one_vma(unsigned first, unsigned end) const {
        const auto i = vma_index(first);
        return i && vmas[*i].end >= end;
    }
    bool free_range(unsigned first, unsigned end) const {
        for (const ref_vma& v : vmas)
            if (v.start < end && first < v.end) return false;
        return true;
    }

    const ref_frame* frame_of(unsigned vpage) const {
        const ref_pte& p = pages[vpage];
        if (!p.mapped || p.zero) return nullptr;
        return &frames.at(p.frame);
    }
    unsigned folio_at(unsigned vpage) const {
        const ref_frame* f = frame_of(vpage);
        return f ? f->folio : 0;
    }
    // The virtual pages that map a page of `folio`.
    std::vector<unsigned> mappers_of_folio(unsigned folio) const {
        std::vector<unsigned> v;
        for (unsigned i = 0; i < window_pages; ++i)
            if (folio != 0 && folio_at(i) == folio) v.push_back(i);
        return v;
    }
    // split_huge_page() can split `folio`: the model's rmap walk is the one
    // (vma, address) of the folio's first page (model/mm/migrate.h), so every
    // mapped page of it must be in one VMA that the folio's whole span lies in.
    // Where the head is: the one virtual page that puts every mapped subpage
    // at its index.
    std::optional<unsigned> splittable_folio_head(unsigned folio) const {
        const std::vector<unsigned> mappers = mappers_of_folio(folio);
        if (mappers.empty()) return std::nullopt;
        const unsigned sub = frames.at(pages[mappers[0]].frame).subpage;
        if (mappers[0] < sub) return std::nullopt;
        const unsigned head = mappers[0] - sub;
        if (!in_one_vma(head, head + pmd_pages)) return std::nullopt;
        for (unsigned v : mappers)
            if (v != head + frames.at(pages[v].frame).subpage) return std::nullopt;
        return head;
    }

    // Whether split_huge_page() of a splittable folio succeeds: its rmap walk
    // (page_vma_mapped_walk() from the head's address) stops at a huge pmd
    // that maps another folio (check_pmd(): not_found), so a pte-mapped folio
    // whose head's pmd was collapsed into a THP (an unaligned mremap(), then
    // khugepaged) keeps its mappings past that pmd: unmap_folio() misses them,
    // the refcount does not freeze and the split fails with -EAGAIN.
    bool rmap_walk_finds_every_mapping(unsigned folio, unsigned head) const {
        const unsigned first_pmd = pmd_of(head);
        if (pmds[first_pmd] != pmd_state::huge || folio_at(first_pmd * pmd_pages) == folio) return true;
        for (unsigned v : mappers_of_folio(folio))
            if (pmd_of(v) != first_pmd) return false;
        return true;
    }
    bool split_succeeds(unsigned folio) const {
        const auto head = splittable_folio_head(folio);
        return head && rmap_walk_finds_every_mapping(folio, *head);
    }

    unsigned new_frame(unsigned folio = 0, unsigned subpage = 0) {
        frames[next_frame] = ref_frame{folio, subpage, false};
        return next_frame++;
    }
    void map_new_page(unsigned vpage, bool writable) { pages[vpage] = ref_pte{true, writable, false, false, new_frame()}; }
    // page_count() of the page mapped at vpage: every pte mapping holds a
    // reference on its folio (an order-0 page is its own folio).
    unsigned page_count_at(unsigned vpage) const {
        const ref_pte& p = pages[vpage];
        unsigned n = 0;
        for (unsigned v = 0; v < window_pages; ++v) {
            const ref_pte& q = pages[v];
            if (!q.mapped || q.zero) continue;
            const unsigned folio = frames.at(q.frame).folio;
            n += folio ? folio == frames.at(p.frame).folio : q.frame == p.frame;
        }
        return n;
    }
    void map_zero_page(unsigned vpage) { pages[vpage] = ref_pte{true, false, false, true, 0}; }
    // Drops the frames nothing maps any more (their pages are freed, or kept
    // by a folio another page of which is still mapped).
    void forget_unmapped_frames() {
        std::set<unsigned> mapped;
        for (const ref_pte& p : pages)
            if (p.mapped && !p.zero) mapped.insert(p.frame);
        std::erase_if(frames, [&](const auto& f) { return !mapped.contains(f.first); });
    }

    // __split_huge_pmd(): the huge pmd becomes a table of ptes with its write
    // permission, each pte made from vm_page_prot (a PROT_NONE pmd's are not).
    void split_pmd(unsigned pmd) {
        if (pmds[pmd] != pmd_state::huge) return;
        pmds[pmd] = pmd_state::table;
        for (unsigned i = 0; i < pmd_pages; ++i) {
            pages[pmd * pmd_pages + i].huge = false;
            pages[pmd * pmd_pages + i].numa = false;
        }
    }

    // change_prot_numa() of [first, end) inside one VMA (mm/mprotect.c with
    // MM_CP_PROT_NUMA, one node): a huge pmd the range covers becomes PROT_NONE
    // whole (change_huge_pmd()), one it cuts is split first; a pte becomes
    // PROT_NONE if it maps a page (not the zero page, not a KSM page) no one else
    // references (page_count() == 1 in a private mapping). Write permission goes
    // with it.
    void numa_hint(unsigned first, unsigned end) {
        for (unsigned pmd = pmd_of(first); pmd * pmd_pages < end; ++pmd) {
            const unsigned lo = std::max(first, pmd * pmd_pages), hi = std::min(end, (pmd + 1) * pmd_pages);
            if (pmds[pmd] == pmd_state::huge && hi - lo == pmd_pages) {
                for (unsigned v = lo; v < hi; ++v) pages[v].numa = true, pages[v].writable = false;
                continue;
            }
            split_pmd(pmd);
            for (unsigned v = lo; v < hi; ++v) {
                ref_pte& p = pages[v];
                if (!p.mapped || p.zero || p.numa || frames.at(p.frame).ksm || page_count_at(v) != 1) continue;
                p.numa = true;
                p.writable = false;
            }
        }
    }

    // Read or write fault on a page inside a VMA (mm/memory.c, huge_memory.c).
    void fault(unsigned vpage, bool write) {
        const unsigned pmd = pmd_of(vpage);
        ref_pte& p = pages[vpage];
        const bool vm_write = vma_writable(vpage);
        if (write && !vm_write) return;  // access_error(): SIGSEGV
        if (p.numa) {
            // do_numa_page(), do_huge_pmd_numa_page(): accessible again in
            // place (one node), writable if mprotect() could make it so (an
            // exclusive anonymous page, not a KSM one, in a VM_WRITE VMA).
            // The access itself faults again if it needs more.
            const unsigned lo = p.huge ? pmd * pmd_pages : vpage, hi = p.huge ? lo + pmd_pages : vpage + 1;
            for (unsigned v = lo; v < hi; ++v) {
                pages[v].numa = false;
                pages[v].writable = vm_write && !frames.at(pages[v].frame).ksm;
            }
            return;
        }
        if (pmds[pmd] == pmd_state::none && in_one_vma(pmd * pmd_pages, (pmd + 1) * pmd_pages)) {
            // do_huge_pmd_anonymous_page(): a THP even for a read (the huge
            // zero page is off), writable if the VMA is (maybe_pmd_mkwrite()),
            // its pte table deposited.
            const unsigned folio = next_folio++;
            for (unsigned i = 0; i < pmd_pages; ++i)
                pages[pmd * pmd_pages + i] = ref_pte{true, vm_write, true, false, new_frame(folio, i)};
            pmds[pmd] = pmd_state::huge;
            return;
        }
        // huge_pmd_set_accessed(): a THP is writable where its VMA is (mprotect()
        // makes an exclusive one writable again).
        if (pmds[pmd] == pmd_state::huge) return;
        pmds[pmd] = pmd_state::table;              // do_anonymous_page(): pte_alloc()
        if (!p.mapped) {
            if (write) map_new_page(vpage, true);  // a new page
            else map_zero_page(vpage);             // the zero page
            return;
        }
        if (!write || p.writable) return;
        // do_wp_page(): the zero page and KSM pages are copied; an exclusive
        // anonymous page (no other read-only page exists here) is reused.
        if (p.zero || frames.at(p.frame).ksm) {
            map_new_page(vpage, true);
            forget_unmapped_frames();
        } else {
            p.writable = true;
        }
    }

    // split_huge_page() of `folio`: its pages become order-0 pages in place
    // (if split_succeeds(); else nothing changes).
    void split_folio(unsigned folio) {
        if (!split_succeeds(folio)) return;
        for (unsigned v : mappers_of_folio(folio)) {
            if (pages[v].huge) split_pmd(pmd_of(v));
            pages[v].numa = false;  // remove_migration_ptes(): from vm_page_prot
        }
        for (auto& [id, f] : frames)
            if (f.folio == folio) f = ref_frame{0, 0, f.ksm};
    }

    // Zap of [first, end) inside one VMA (zap_pmd_range(), zap_pte_range()):
    // a huge pmd the range covers is zapped whole, one it cuts is split first.
    void zap(unsigned first, unsigned end) {
        for (unsigned pmd = pmd_of(first); pmd * pmd_pages < end; ++pmd) {
            const unsigned lo = std::max(first, pmd * pmd_pages), hi = std::min(end, (pmd + 1) * pmd_pages);
            if (pmds[pmd] == pmd_state::huge && hi - lo == pmd_pages) pmds[pmd] = pmd_state::none;
            else split_pmd(pmd);
            for (unsigned v = lo; v < hi; ++v) pages[v] = ref_pte{};
        }
        forget_unmapped_frames();
    }

    // khugepaged's collapse_huge_page() of one pmd: whether it succeeds.
    bool collapse_succeeds(unsigned pmd) const {
        if (pmds[pmd] != pmd_state::table || !in_one_vma(pmd * pmd_pages, (pmd + 1) * pmd_pages)) return false;
        // __collapse_huge_page_isolate(): at most max_ptes_none (3) none or zero
        // ptes, and some page mapped writable (else SCAN_PAGE_RO).
        for (unsigned i = 0; i < pmd_pages; ++i) {
            const ref_pte& p = pages[pmd * pmd_pages + i];
            if (p.mapped && !p.zero && p.writable) return true;
        }
        return false;
    }
    void collapse(unsigned pmd) {
        if (!collapse_succeeds(pmd)) return;
        const unsigned folio = next_folio++;
        const bool vm_write = vma_writable(pmd * pmd_pages);  // maybe_pmd_mkwrite()
        for (unsigned i = 0; i < pmd_pages; ++i)
            pages[pmd * pmd_pages + i] = ref_pte{true, vm_write, true, false, new_frame(folio, i)};
        pmds[pmd] = pmd_state::huge;  // the old pte table is deposited
        forget_unmapped_frames();
    }

    void munmap(unsigned first, unsigned end);
    void mprotect(unsigned first, unsigned end, bool writable);
    void mremap(std::size_t vma, unsigned new_start);
    void migrate(unsigned first, unsigned end);
    void ksm_merge(unsigned vpage, unsigned kpage_vpage);

private:
    void free_pgd_range(unsigned long addr, unsigned long end, unsigned long floor, unsigned long ceiling);
};

// free_pgd_range() — mm/memory.c, in pages: the pte tables of the pmd slots
// [addr, end) needs, less those a neighbour below floor or above ceiling
// (0: none) may still use.
inline void reference::free_pgd_range(unsigned long addr, unsigned long end, unsigned long floor,
                                      unsigned long ceiling) {
    addr -= addr % pmd_pages;
    if (addr < floor) addr += pmd_pages;
    if (ceiling) {
        ceiling -= ceiling % pmd_pages;
        if (!ceiling) return;
    }
    if (end - 1 > ceiling - 1) end -= pmd_pages;
    if (end == 0 || addr > end - 1) return;
    for (unsigned long pmd = addr / pmd_pages; pmd <= (end - 1) / pmd_pages; ++pmd) {
        if (pmd >= window_pmds) break;
        pmds[pmd] = pmd_state::none;
    }
}

// munmap() of [first, end) (mm/mmap.c): the VMAs it cuts are split, the parts
// inside are zapped and removed, and free_pgtables() frees the tables of
// runs of them no neighbour needs.
inline void reference::munmap(unsigned first, unsigned end) {
    std::vector<ref_vma> kept, detached;
    for (const ref_vma& v : vmas) {
        if (v.end <= first || v.start >= end) {
            kept.push_back(v);
            continue;
        }
        if (v.start < first) kept.push_back({v.start, first, v.writable, v.pgoff});
        detached.push_back({std::max(v.start, first), std::min(v.end, end)});
        if (v.end > end) kept.push_back({end, v.end, v.writable, v.pgoff + (end - v.start)});
    }
    if (detached.empty()) return;
    std::sort(kept.begin(), kept.end(), [](auto& a, auto& b) { return a.start < b.start; });
    vmas = kept;
    unsigned long floor = 0, ceiling = 0;
    for (const ref_vma& v : vmas) {
        if (v.end <= detached.front().start) floor = v.end;
        if (v.start >= detached.back().end && ceiling == 0) ceiling = v.start;
    }
    for (const ref_vma& d : detached) zap(d.start, d.end);
    // free_pgtables(): nearby VMAs (within a pmd) go in one call down.
    for (std::size_t i = 0; i < detached.size();) {
        const unsigned long addr = detached[i].start;
        while (i + 1 < detached.size() && detached[i + 1].start <= detached[i].end + pmd_pages) ++i;
        const unsigned long run_end = detached[i].end;
        ++i;
        free_pgd_range(addr, run_end, floor, i < detached.size() ? detached[i].start : ceiling);
    }
}

// mprotect(PROT_READ | (writable ? PROT_WRITE : 0)) of [first, end) inside one
// VMA (mm/mprotect.c mprotect_fixup()): nothing if the VMA has those flags
// already; else vma_merge() joins the range to the VMA before it and the one
// after it where they touch it with the new flags and consecutive pgoffs, and
// the VMA is split where it does not. change_protection() then splits a huge
// pmd the range cuts and makes every mapping in the range read-only, or, made
// writable (MM_CP_TRY_CHANGE_WRITABLE, can_change_pte_writable()), writable
// where it maps an exclusive anonymous page: neither the zero page nor a KSM
// page.
inline void reference::mprotect(unsigned first, unsigned end, bool writable) {
    const std::size_t i = *vma_index(first);
    const ref_vma v = vmas[i];
    if (v.writable == writable) return;
    std::vector<ref_vma> next;
    for (std::size_t j = 0; j < vmas.size(); ++j) {
        if (j != i) {
            next.push_back(vmas[j]);
            continue;
        }
        if (v.start < first) next.push_back({v.start, first, v.writable, v.pgoff});
        next.push_back({first, end, writable, v.pgoff + (first - v.start)});
        if (end < v.end) next.push_back({end, v.end, v.writable, v.pgoff + (end - v.start)});
    }
    auto mergeable = [](const ref_vma& a, const ref_vma& b) {  // a just below b
        return a.end == b.start && a.writable == b.writable && a.pgoff + (a.end - a.start) == b.pgoff;
    };
    std::size_t at = 0;
    while (next[at].start != first) ++at;
    if (at + 1 < next.size() && mergeable(next[at], next[at + 1])) {
        next[at].end = next[at + 1].end;
        next.erase(next.begin() + long(at) + 1);
    }
    if (at > 0 && mergeable(next[at - 1], next[at])) {
        next[at - 1].end = next[at].end;
        next.erase(next.begin() + long(at));
    }
    vmas = next;

    for (unsigned pmd = pmd_of(first); pmd * pmd_pages < end; ++pmd) {
        const unsigned lo = std::max(first, pmd * pmd_pages), hi = std::min(end, (pmd + 1) * pmd_pages);
        if (hi - lo != pmd_pages) split_pmd(pmd);
        for (unsigned u = lo; u < hi; ++u) {
            ref_pte& p = pages[u];
            if (!p.mapped) continue;
            p.writable = writable && !p.zero && !frames.at(p.frame).ksm;
            p.numa = false;  // pte_modify() to the new protection
        }
    }
}

// mremap(MREMAP_MAYMOVE | MREMAP_FIXED) of a whole VMA to a free range
// (mm/mremap.c move_vma()): KSM pages in it are broken out first
// (ksm_madvise(MADV_UNMERGEABLE): break_ksm()'s unshare faults),
// then move_page_tables() as the model has it (a huge pmd is split and moved
// as ptes, move_huge_pmd() being left out), then munmap() of the old range
// with the new VMA already linked.
inline void reference::mremap(std::size_t index, unsigned new_start) {
    const ref_vma old = vmas[index];
    for (unsigned v = old.start; v < old.end; ++v)
        if (frame_of(v) && frame_of(v)->ksm) {
            // break_ksm()'s unshare fault copies the page into an exclusive
            // one, mapped read-only (writable at the next write fault).
            map_new_page(v, false);
            forget_unmapped_frames();
        }
    vmas.push_back({new_start, new_start + (old.end - old.start), old.writable, old.pgoff});  // copy_vma()
    std::sort(vmas.begin(), vmas.end(), [](auto& a, auto& b) { return a.start < b.start; });
    unsigned extent = 0;
    for (unsigned from = old.start, to = new_start; from < old.end; from += extent, to += extent) {
        extent = std::min({pmd_pages - from % pmd_pages, old.end - from, pmd_pages - to % pmd_pages});
        const unsigned old_pmd = pmd_of(from), new_pmd = pmd_of(to);
        if (pmds[old_pmd] == pmd_state::none) continue;
        if (pmds[old_pmd] == pmd_state::huge) {
            split_pmd(old_pmd);
        } else if (extent == pmd_pages) {
            // move_normal_pmd(): the pte table itself moves.
            pmds[new_pmd] = pmd_state::table;
            pmds[old_pmd] = pmd_state::none;
            for (unsigned i = 0; i < pmd_pages; ++i) std::swap(pages[to + i], pages[from + i]);
            continue;
        }
        pmds[new_pmd] = pmd_state::table;  // pte_alloc(), then move_ptes()
        for (unsigned i = 0; i < extent; ++i) std::swap(pages[to + i], pages[from + i]);
    }
    munmap(old.start, old.end);
}

// A migrate_vma round over [first, end) inside one VMA, every MIGRATE entry
// given a destination (model/mm/migrate_device.h): a pmd-mapped THP the range
// touches is split with split_huge_page(), all of it, and its pages in the
// range migrate; pages of a THP already pte-mapped are skipped ("FIXME support
// THP"); holes and the zero page get a new writable page, other pages a new
// page with their permission.
inline void reference::migrate(unsigned first, unsigned end) {
    for (unsigned v = first; v < end; ++v)
        if (pmds[pmd_of(v)] == pmd_state::huge) split_folio(folio_at(v));
    for (unsigned v = first; v < end; ++v) {
        pmds[pmd_of(v)] = pmd_state::table;
        const ref_pte p = pages[v];
        if (folio_at(v) != 0) continue;
        // migrate_vma_insert_page() maps a hole or the zero page writable if
        // the VMA is; remove_migration_ptes() keeps a page's permission.
        map_new_page(v, !p.mapped || p.zero ? vma_writable(v) : p.writable);
    }
    forget_unmapped_frames();
}

// KSM (mm/ksm.c): the page at vpage is merged into the page at kpage_vpage,
// which becomes a KSM page first if it is not one (try_to_merge_two_pages(),
// else try_to_merge_with_ksm_page()); a THP is split first. Both map the KSM
// page read-only.
inline void reference::ksm_merge(unsigned vpage, unsigned kpage_vpage) {
    for (unsigned v : {kpage_vpage, vpage})
        if (const unsigned folio = folio_at(v)) split_folio(folio);
    ref_pte& k = pages[kpage_vpage];
    frames.at(k.frame).ksm = true;
    k.writable = false;
    pages[vpage] = k;
    forget_unmapped_frames();
}

}  // namespace mm_props
