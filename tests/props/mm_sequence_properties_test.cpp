// RapidCheck state machine over the whole single-threaded anonymous-memory
// model: any sequence of read and write faults (THP, zero page, COW), pmd
// splits, split_huge_page(), MADV_DONTNEED zaps, khugepaged collapses,
// munmap() (whole VMAs and parts, with free_pgtables()), mremap() moves of a
// VMA, migrate_vma rounds, KSM merges, mprotect() (read-only and back,
// splitting and merging VMAs) and NUMA hinting (change_prot_numa(), then the
// NUMA hinting faults of the next accesses) leaves the mm as the plain reference
// (mm_reference.h) predicts, checked after every command (mm_system.h); at the
// end munmap() of everything must give back every page but the pgd.
//
// Commands are generated only where the kernel would run them: faults inside
// VMAs, zaps and migrations inside one VMA, mremap() to a free range, KSM on
// two mapped anonymous pages of mergeable VMAs. The model's limits shape a few
// more (each says so): split_huge_page()'s rmap walk is one (vma, address)
// (model/mm/migrate.h), migrate_vma has no KSM rmap, the vma_tree has 8 slots.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include "model/arch/x86/fault.h"
#include "model/mm/huge_memory.h"
#include "model/mm/khugepaged.h"
#include "model/mm/ksm.h"
#include "model/mm/memory.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/mprotect.h"
#include "model/mm/mremap.h"
#include "model/mm/pagemap.h"
#include "model/mm/vma_lock.h"
#include "tests/migrate/migrate_world.h"
#include "tests/props/mm_system.h"

namespace {

using namespace mm_props;

using command = rc::state::Command<reference, mm_system>;

// A command whose reference transition is apply(): run() runs the model, then
// checks it against the reference after the same transition.
struct mm_command : command {
    virtual bool valid(const reference& r) const = 0;
    virtual void run_model(const reference& r, mm_system& s) const = 0;
    void checkPreconditions(const reference& r) const override { RC_PRE(valid(r)); }
    void run(const reference& r, mm_system& s) const override {
        run_model(r, s);
        reference next = r;
        apply(next);
        check_against(s, next);
    }
};

std::vector<unsigned> pages_where(auto&& pred) {
    std::vector<unsigned> out;
    for (unsigned v = 0; v < window_pages; ++v)
        if (pred(v)) out.push_back(v);
    return out;
}

unsigned pick(const std::vector<unsigned>& from) {
    RC_PRE(!from.empty());
    return *rc::gen::elementOf(from);
}

struct fault : mm_command {
    unsigned vpage;
    bool write = *rc::gen::arbitrary<bool>();
    explicit fault(const reference& r) : vpage(pick(pages_where([&](unsigned v) { return r.in_vma(v); }))) {}

    bool valid(const reference& r) const override { return r.in_vma(vpage); }
    void apply(reference& r) const override { r.fault(vpage, write); }
    void run_model(const reference&, mm_system& s) const override {
        in_model(s, [&] { do_user_addr_fault(s.mm.get(), addr_of(vpage) + 8, write ? FAULT_FLAG_WRITE : 0); });
    }
    void show(std::ostream& os) const override { os << (write ? "write" : "read") << " fault on page " << vpage; }
};

struct split_pmd : mm_command {
    unsigned pmd;
    explicit split_pmd(const reference& r)
        : pmd(pick(pages_where([&](unsigned v) { return v < window_pmds && r.pmds[v] == pmd_state::huge; }))) {}

    bool valid(const reference& r) const override { return r.pmds[pmd] == pmd_state::huge; }
    void apply(reference& r) const override { r.split_pmd(pmd); }
    void run_model(const reference&, mm_system& s) const override {
        const unsigned long addr = addr_of(pmd * pmd_pages);
        in_model(s, [&] {
            kernel::down_read(&s.mm->mmap_lock);
            split_huge_pmd(s.vma_at(pmd * pmd_pages), s.pmd_of(addr), addr);
            kernel::up_read(&s.mm->mmap_lock);
        });
    }
    void show(std::ostream& os) const override { os << "split_huge_pmd of pmd " << pmd; }
};

// split_huge_page() of the folio a mapped THP page belongs to, holding its
// page lock and a reference as the kernel's callers do.
struct split_page : mm_command {
    unsigned vpage;
    explicit split_page(const reference& r)
        : vpage(pick(pages_where([&](unsigned v) { return splittable(r, v); }))) {}
    static bool splittable(const reference& r, unsigned v) {
        return r.folio_at(v) != 0 && r.splittable_folio_head(r.folio_at(v)).has_value();
    }

    bool valid(const reference& r) const override { return splittable(r, vpage); }
    void apply(reference& r) const override { r.split_folio(r.folio_at(vpage)); }
    void run_model(const reference& r, mm_system& s) const override {
        const unsigned head = *r.splittable_folio_head(r.folio_at(vpage));
        int ret = -1;
        in_model(s, [&] {
            page* p = s.page_mapped_at(vpage);
            kernel::down_read(&s.mm->mmap_lock);
            get_page(p);
            lock_page(compound_head(p));  // lock_page() of a page locks its folio: the head
            ret = split_huge_page(p, s.vma_at(head), addr_of(head));
            unlock_page(compound_head(p));  // p's own lock once split, else still its folio's
            put_page(p);
            kernel::up_read(&s.mm->mmap_lock);
        });
        RC_ASSERT(ret == (r.split_succeeds(r.folio_at(vpage)) ? 0 : -11));  // -EAGAIN
    }
    void show(std::ostream& os) const override { os << "split_huge_page of the folio mapped at page " << vpage; }
};

// A range [first, first + count) inside one VMA, count at most max_count.
struct vma_range {
    unsigned first, count;
    vma_range(const reference& r, unsigned max_count)
        : first(pick(pages_where([&](unsigned v) { return r.in_vma(v); }))),
          count(*rc::gen::inRange(1u, std::min(max_count, r.vmas[*r.vma_index(first)].end - first) + 1)) {}
    bool valid(const reference& r) const { return r.in_one_vma(first, first + count); }
};

struct dontneed : mm_command {
    vma_range range;
    explicit dontneed(const reference& r) : range(r, window_pages) {}

    bool valid(const reference& r) const override { return range.valid(r); }
    void apply(reference& r) const override { r.zap(range.first, range.first + range.count); }
    void run_model(const reference&, mm_system& s) const override {
        in_model(s, [&] {
            kernel::down_read(&s.mm->mmap_lock);
            madvise_dontneed_single_vma(s.vma_at(range.first), addr_of(range.first), addr_of(range.first + range.count));
            kernel::up_read(&s.mm->mmap_lock);
        });
    }
    void show(std::ostream& os) const override {
        os << "MADV_DONTNEED pages " << range.first << ".." << range.first + range.count - 1;
    }
};

// khugepaged scans the pmd ranges a VMA covers whole.
struct collapse : mm_command {
    unsigned pmd;
    explicit collapse(const reference& r)
        : pmd(pick(pages_where([&](unsigned v) { return v < window_pmds && covered(r, v); }))) {}
    static bool covered(const reference& r, unsigned pmd) { return r.in_one_vma(pmd * pmd_pages, (pmd + 1) * pmd_pages); }

    bool valid(const reference& r) const override { return covered(r, pmd); }
    void apply(reference& r) const override { r.collapse(pmd); }
    void run_model(const reference& r, mm_system& s) const override {
        scan_result result = scan_result::SCAN_FAIL;
        in_model(s, [&] {
            kernel::down_read(&s.mm->mmap_lock);
            result = collapse_huge_page(s.mm.get(), addr_of(pmd * pmd_pages));  // releases mmap_lock
        });
        RC_ASSERT((result == scan_result::SCAN_SUCCEED) == r.collapse_succeeds(pmd));
    }
    void show(std::ostream& os) const override { os << "khugepaged collapse of pmd " << pmd; }
};

// munmap() of any range of the window: whole VMAs, parts, holes. Splitting
// both ends may add two VMAs: the vma_tree must have room for them.
struct munmap : mm_command {
    unsigned first = *rc::gen::inRange(0u, window_pages);
    unsigned count = *rc::gen::inRange(1u, window_pages - first + 1);
    explicit munmap(const reference& r) { RC_PRE(valid(r)); }

    bool valid(const reference& r) const override { return r.vmas.size() + 2 <= max_vmas; }
    void apply(reference& r) const override { r.munmap(first, first + count); }
    void run_model(const reference&, mm_system& s) const override {
        int ret = -1;
        in_model(s, [&] { ret = vm_munmap(s.mm.get(), addr_of(first), count * PAGE_SIZE); });
        RC_ASSERT(ret == 0);
    }
    void show(std::ostream& os) const override { os << "munmap pages " << first << ".." << first + count - 1; }
};

// mprotect() of a range inside one VMA, read-only or read-write: splits the
// VMA where the range cuts it (up to two more VMAs: the vma_tree must have
// room), merges the range into a neighbour with the same flags.
struct mprotect : mm_command {
    vma_range range;
    bool writable = *rc::gen::arbitrary<bool>();
    explicit mprotect(const reference& r) : range(r, window_pages) { RC_PRE(valid(r)); }

    bool valid(const reference& r) const override { return range.valid(r) && r.vmas.size() + 2 <= max_vmas; }
    void apply(reference& r) const override { r.mprotect(range.first, range.first + range.count, writable); }
    void run_model(const reference&, mm_system& s) const override {
        int ret = -1;
        in_model(s, [&] {
            ret = do_mprotect_pkey(s.mm.get(), addr_of(range.first), range.count * PAGE_SIZE,
                                   PROT_READ | (writable ? PROT_WRITE : 0), -1);
        });
        RC_ASSERT(ret == 0);
    }
    void show(std::ostream& os) const override {
        os << "mprotect pages " << range.first << ".." << range.first + range.count - 1
           << (writable ? " read-write" : " read-only");
    }
};

// mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, new) of a whole VMA to
// a free range of the window (the model's move_vma() moves whole VMAs).
struct mremap : mm_command {
    std::size_t vma;
    unsigned new_start;
    explicit mremap(const reference& r)
        : vma(*rc::gen::inRange<std::size_t>(0, std::max<std::size_t>(r.vmas.size(), 1))),
          new_start(pick(pages_where([&](unsigned v) { return target_ok(r, vma, v); }))) {}
    static bool target_ok(const reference& r, std::size_t vma, unsigned start) {
        if (vma >= r.vmas.size() || r.vmas.size() + 1 > max_vmas) return false;
        const unsigned len = r.vmas[vma].end - r.vmas[vma].start;
        return start + len <= window_pages && r.free_range(start, start + len);
    }

    bool valid(const reference& r) const override { return target_ok(r, vma, new_start); }
    void apply(reference& r) const override { r.mremap(vma, new_start); }
    void run_model(const reference& r, mm_system& s) const override {
        unsigned long result = 0;
        in_model(s, [&] {
            mmap_write_lock(s.mm.get());
            vm_area_struct* old = s.vma_at(r.vmas[vma].start);
            // copy_vma(): the new VMA has the old one's flags and pgoff.
            vm_area_struct* moved = vm_area_dup(old);
            moved->vm_start = addr_of(new_start);
            moved->vm_end = moved->vm_start + (old->vm_end - old->vm_start);
            result = move_vma(old, moved, addr_of(new_start));
            mmap_write_unlock(s.mm.get());
        });
        RC_ASSERT(result == addr_of(new_start));
    }
    void show(std::ostream& os) const override { os << "mremap of VMA " << vma << " to page " << new_start; }
};

// NUMA balancing's scan of a range inside one VMA (task_numa_work():
// change_prot_numa() under mmap_lock for read).
struct numa_hint : mm_command {
    vma_range range;
    explicit numa_hint(const reference& r) : range(r, window_pages) {}

    bool valid(const reference& r) const override { return range.valid(r); }
    void apply(reference& r) const override { r.numa_hint(range.first, range.first + range.count); }
    void run_model(const reference&, mm_system& s) const override {
        in_model(s, [&] {
            kernel::down_read(&s.mm->mmap_lock);
            change_prot_numa(s.vma_at(range.first), addr_of(range.first), addr_of(range.first + range.count));
            kernel::up_read(&s.mm->mmap_lock);
        });
    }
    void show(std::ostream& os) const override {
        os << "change_prot_numa of pages " << range.first << ".." << range.first + range.count - 1;
    }
};

// A migrate_vma round of at most seven pages (the driver then holds at most
// seven source and seven destination page locks and mmap_lock: the seam
// tracks 16 per thread). migrate_vma has no KSM rmap in the model
// (remove_migration_ptes() is the one mapping), so ranges with KSM pages are
// left out.
struct migrate : mm_command {
    vma_range range;
    explicit migrate(const reference& r) : range(r, 7) { RC_PRE(valid(r)); }

    bool valid(const reference& r) const override {
        if (!range.valid(r)) return false;
        for (unsigned v = range.first; v < range.first + range.count; ++v)
            if (r.frame_of(v) && r.frame_of(v)->ksm) return false;
        return true;
    }
    void apply(reference& r) const override { r.migrate(range.first, range.first + range.count); }
    void run_model(const reference&, mm_system& s) const override {
        in_model(s, [&] {
            migrate_test::migrate_round round(s, s.vma_at(range.first), addr_of(range.first),
                                              addr_of(range.first + range.count));
            round.run();
        });
    }
    void show(std::ostream& os) const override {
        os << "migrate_vma round over pages " << range.first << ".." << range.first + range.count - 1;
    }
};

// KSM merges two mapped anonymous pages (equal: the model's pages have no
// contents). Left out where the kernel would refuse or the model cannot
// follow: two pages of one THP (KSM's own references fail the split), two KSM
// pages, THPs split_huge_page() cannot split here (split_page above), and
// pages NUMA hinting made PROT_NONE (v6.6's follow_page() returns them, but
// the model's KSM paths are not written for PROT_NONE ptes).
struct ksm_merge : mm_command {
    unsigned a, b;
    explicit ksm_merge(const reference& r)
        : a(pick(pages_where([&](unsigned v) { return mergeable(r, v); }))),
          b(pick(pages_where([&](unsigned v) { return pair_ok(r, a, v); }))) {}
    static bool mergeable(const reference& r, unsigned v) {
        const ref_frame* f = r.frame_of(v);
        return f && !r.pages[v].numa && (f->folio == 0 || r.split_succeeds(f->folio));
    }
    static bool pair_ok(const reference& r, unsigned a, unsigned b) {
        if (!mergeable(r, a) || !mergeable(r, b)) return false;
        const ref_pte &pa = r.pages[a], &pb = r.pages[b];
        const ref_frame &fa = r.frames.at(pa.frame), &fb = r.frames.at(pb.frame);
        if (pa.frame == pb.frame || (fa.ksm && fb.ksm)) return false;
        return fa.folio == 0 || fa.folio != fb.folio;
    }
    // The page that is, or becomes, the KSM page, and the one merged into it.
    std::pair<unsigned, unsigned> roles(const reference& r) const {
        return r.frame_of(b)->ksm ? std::pair{b, a} : std::pair{a, b};
    }

    bool valid(const reference& r) const override { return pair_ok(r, a, b); }
    void apply(reference& r) const override {
        const auto [kpage, merged] = roles(r);
        r.ksm_merge(merged, kpage);
    }
    void run_model(const reference& r, mm_system& s) const override {
        const auto [kv, mv] = roles(r);
        const bool stable = r.frame_of(kv)->ksm;
        bool merged = false;
        in_model(s, [&] {
            page* kpage = s.page_mapped_at(kv);
            page* p = s.page_mapped_at(mv);
            get_page(kpage);  // cmp_and_merge_page()'s references (follow_page(FOLL_GET))
            get_page(p);
            if (stable)  // stable_tree_search() found kpage
                merged = try_to_merge_with_ksm_page(s.mm.get(), addr_of(mv), p, kpage) == 0;
            else  // unstable_tree_search_insert() found the other page
                merged = try_to_merge_two_pages(s.mm.get(), addr_of(kv), kpage, s.mm.get(), addr_of(mv), p) == kpage;
            put_page(p);
            put_page(kpage);
        });
        RC_ASSERT(merged);
    }
    void show(std::ostream& os) const override { os << "KSM merge of pages " << a << " and " << b; }
};

// munmap() of the whole address space: every page goes back to the allocator,
// every table with it, but the pgd (the mm's own, freed with the mm by
// mm_free_pgd(), which the model leaves out) and pfn 0 (reserved: the zero page).
void unmap_everything(mm_system& s) {
    int ret = -1;
    in_model(s, [&] { ret = vm_munmap(s.mm.get(), 0, TASK_SIZE); });
    RC_ASSERT(ret == 0);
    RC_ASSERT(s.mm->vmas.empty());
    in_model(s, [&] { check_page_tables(s.mm.get()); });
    for (unsigned long pfn = 1; pfn < s.memory.nr_pages; ++pfn)
        if (s.memory.pages[pfn].get() != s.mm->pgd) RC_ASSERT(s.memory.pages[pfn]->use == page_use::free);
}

RC_GTEST_PROP(MmSequences, EverySequenceMatchesTheReferenceAndFreesEverything, ()) {
    mm_system s;
    rc::state::check(initial_reference(), s,
                     rc::state::gen::execOneOfWithArgs<fault, fault, fault, split_pmd, split_page, dontneed, collapse,
                                                       munmap, mremap, migrate, ksm_merge, ksm_merge, mprotect,
                                                       numa_hint>());
    unmap_everything(s);
}

}  // namespace
