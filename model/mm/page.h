// struct page and the physical memory of one model machine (include/linux/mm_types.h,
// mm/page_alloc.c, v6.6).
//
// Simplifications, stated once here:
// - Physical memory is a small array of pages (mem_map) sized by the scenario.
// - Each page carries what the checker knows of its use (free, a table of some
//   level, anon or file data, device memory, compound tail). The kernel keeps part of
//   this in page->flags and page_type; the model keeps all of it so that a freed or
//   reused page used as a table is caught at the access.
// - A page's table slots and split ptl exist for every page and are meaningful only
//   while it is a table; accessing them through a table handle checks the use first.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <type_traits>
#include <string_view>
#include <vector>

#include "model/kernel/primitives.h"
#include "model/mm/pgtable_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

enum class page_use : std::uint8_t {
    reserved,   // pfn 0 and anything never handed out
    free,
    pgd_table,
    pud_table,
    pmd_table,
    pte_table,
    anon,
    file,
    device,     // ZONE_DEVICE / PFN-mapped device memory
    tail,       // tail page of a compound page
    huge_zero,  // the huge zero page's head (get_huge_zero_page()); like pfn 0, no anon rmap
};
std::string_view page_use_name(page_use use);

struct mem_map;
struct dev_pagemap;  // model/mm/memremap.h

// A word of checker knowledge that a model thread may read while another
// changes it: compound_head() reads a tail's page->compound_head with
// READ_ONCE() and no lock while split_huge_page() clears it with WRITE_ONCE()
// (clear_compound_head(), include/linux/page-flags.h v6.6), and the checks
// read a page's use as the allocator changes it. Neither is the protocol under
// test, so neither is a scheduling point on any engine; a relaxed atomic keeps
// the native engine's real threads free of a data race ThreadSanitizer would
// report, where the kernel's access is marked.
template <class T>
class checker_word {
public:
    explicit checker_word(T initial) : value_(initial) {}
    operator T() const { return value_.load(std::memory_order_relaxed); }
    checker_word& operator=(T value) {
        value_.store(value, std::memory_order_relaxed);
        return *this;
    }
    T operator->() const
        requires std::is_pointer_v<T>
    {
        return *this;
    }

private:
    std::atomic<T> value_;
};

struct page {
    unsigned long pfn = 0;
    mem_map* memory = nullptr;
    // Checker knowledge: the allocator is not the protocol under test, so its
    // updates are not scheduling points. Changes take
    // kernel::backend::bookkeeping_guard, so that two changes never interleave;
    // reads need not (checker_word).
    checker_word<page_use> use{page_use::reserved};
    checker_word<unsigned> order{0};                  // compound order, on the head
    checker_word<page*> compound_head{nullptr};       // set on tail pages
    unsigned generation = 0;       // bumped by every allocation: tells reuse from use

    kernel::atomic_t _refcount;
    kernel::atomic_t _mapcount;  // -1 when unmapped, as in the kernel
    kernel::sleeping_lock PG_locked;
    kernel::spinlock_t ptl;      // split page-table lock, when this page is a table
    std::array<kernel::marked<pgtable_word>, PTRS_PER_TABLE> slots;
    kernel::rcu_head rcu;        // pte_free_defer(), tlb_remove_table(): see page_of_rcu_head()
    // THP (v6.6 folio fields, kept on the head page): the pmd mapping count,
    // -1 when no pmd maps the folio (folio->_entire_mapcount).
    kernel::atomic_t _entire_mapcount{-1, {"folio->_entire_mapcount"}};
    // A pmd table's deposited pte tables (pmd_huge_pte(), under the pmd lock), and a
    // deposited pte table's link to the next one (pgtable->lru, LIFO in the model).
    kernel::plain<page*> pmd_huge_pte{nullptr, {"pmd_huge_pte"}};
    kernel::plain<page*> pgtable_lru{nullptr, {"pgtable->lru"}};
    // page->index of an anonymous page: the linear page index it was first
    // mapped at (linear_page_index()), for page_address_in_vma(). Set by
    // folio_add_new_anon_rmap() (rmap.cpp) on every page of the folio: the
    // model keeps a subpage's index (folio->index + i) on the subpage, where
    // the kernel computes it from the folio's.
    unsigned long index = 0;
    // PageKsm(): folio->mapping names a KSM stable node (PAGE_MAPPING_KSM).
    // Checker knowledge like `use` (the model has no stable tree): set by
    // try_to_merge_one_page() under the page lock (mm/ksm.cpp), cleared when the
    // page is allocated again.
    bool ksm = false;
    // PG_anon_exclusive (PageAnonExclusive()): this mm's mapping of the anonymous
    // page is the only one, so a write fault may reuse it. Written only under the
    // page-table lock that maps the page (or before the page is mapped) and read
    // under it, so the model keeps it beside `use`, off the seam.
    bool anon_exclusive = false;
    // ZONE_DEVICE pages (the zone-device member of struct page's union, v6.6):
    // the dev_pagemap of the memremap_pages() range (model/mm/memremap.h; set
    // before the threads start and constant after, so not a seam word), and the
    // driver's per-page pointer, which the kernel reads and writes unmarked.
    dev_pagemap* pgmap = nullptr;
    kernel::plain<void*> zone_device_data{nullptr, {"page->zone_device_data"}};
    // What user space stored in the page: two words (offsets 0 and 8), so two
    // threads can write one page without overwriting each other, when the
    // scenario tracks contents (mem_map::user_contents). User stores write
    // them (arch/x86/tlb.h), copy_user_highpage() copies them (memory_cow.cpp).
    static constexpr unsigned nr_content_words = 2;
    std::array<kernel::marked<unsigned long>, nr_content_words> contents{
        kernel::marked<unsigned long>{0, {"page contents", -1, 0}},
        kernel::marked<unsigned long>{0, {"page contents", -1, 1}}};

    page(unsigned long frame, mem_map* owner);
};

// The huge zero page's globals (mm/huge_memory.c v6.6), one set per model
// machine: the page, its pfn for is_huge_zero_pmd() (~0: none yet), and the
// count of mms using it plus the shrinker's own reference. The model has no
// shrinker, so once allocated the page stays (huge_memory_zero.cpp).
struct huge_zero_globals {
    kernel::marked<page*> huge_zero_page{nullptr, {"huge_zero_page"}};
    kernel::marked<unsigned long> huge_zero_pfn{~0ul, {"huge_zero_pfn"}};
    kernel::atomic_t huge_zero_refcount{0, {"huge_zero_refcount"}};
};

struct mem_map {
    explicit mem_map(unsigned long nr_pages);
    unsigned long nr_pages;
    std::vector<std::unique_ptr<page>> pages;
    huge_zero_globals huge_zero;
    // /sys/kernel/mm/transparent_hugepage/use_zero_page
    // (TRANSPARENT_HUGEPAGE_USE_ZERO_PAGE_FLAG), set before the threads start.
    // The kernel's default is on; the model's is off, so that scenarios
    // written before the huge zero page existed keep their read faults
    // allocating THPs. A scenario or test that wants it sets it.
    bool transparent_hugepage_use_zero_page = false;
    // Whether pages carry user contents (page::contents): set by scenarios
    // that check what user space reads back, before the threads start. Off,
    // copies move nothing, so other scenarios keep their scheduling points.
    bool user_contents = false;
};

page* pfn_to_page(mem_map& memory, unsigned long pfn);
// container_of(head, struct page, rcu): the page whose rcu_head a call_rcu()
// callback was given (page-table pages freed after a grace period).
page* page_of_rcu_head(kernel::rcu_head* head);
inline unsigned long page_to_pfn(const page* p) { return p->pfn; }

// Allocates a free page (or 2^order aligned pages) for `use`; nullptr when memory
// is exhausted, as alloc_pages() may return. Table pages come zeroed.
page* alloc_pages(mem_map& memory, page_use use, unsigned order = 0);
// Returns a page to the allocator; a double free is an accounting violation.
void __free_pages(page* p, unsigned order = 0);

// The zero page (ZERO_PAGE, my_zero_pfn()): the model uses the reserved pfn 0.
inline unsigned long my_zero_pfn(unsigned long) { return 0; }
inline bool is_zero_pfn(unsigned long pfn) { return pfn == 0; }

// Gives a range of pfns to a device driver (ZONE_DEVICE-like), aligned as asked.
unsigned long reserve_device_range(mem_map& memory, unsigned long nr, unsigned long align);

}  // namespace mm
MMCHECK_ENGINE_END
