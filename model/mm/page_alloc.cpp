// The model's page allocator (mm/page_alloc.c, v6.6, reduced to first fit over a
// small mem_map): what matters to the protocols is each page's use and when it
// changes, not zones or buddies.
#include "model/mm/page.h"

#include <atomic>
#include <cstddef>
#include <string>

MMCHECK_ENGINE_BEGIN
namespace mm {

std::string_view page_use_name(page_use use) {
    switch (use) {
        case page_use::reserved: return "reserved";
        case page_use::free: return "free";
        case page_use::pgd_table: return "pgd table";
        case page_use::pud_table: return "pud table";
        case page_use::pmd_table: return "pmd table";
        case page_use::pte_table: return "pte table";
        case page_use::anon: return "anon data";
        case page_use::file: return "file data";
        case page_use::device: return "device memory";
        case page_use::tail: return "compound tail";
        case page_use::huge_zero: return "huge zero page";
    }
    return "?";
}

namespace {
using slot = kernel::marked<pgtable_word>;
int as_label(unsigned long frame) { return static_cast<int>(frame); }
// page::rcu's offset in struct page, the same in every page: each constructor
// stores it, so it is known before any call_rcu() on a page can run its callback.
// Atomic because parallel mc workers and native threads construct pages
// concurrently; offsetof() is not used because struct page is not standard-layout
// under every engine's primitives.
std::atomic<std::ptrdiff_t> rcu_member_offset{0};
}  // namespace

page::page(unsigned long frame, mem_map* owner)
    : pfn(frame),
      memory(owner),
      use(frame == 0 ? page_use::reserved : page_use::free),
      _refcount(0, {"page->_refcount", as_label(frame)}),
      _mapcount(-1, {"page->_mapcount", as_label(frame)}),
      PG_locked({"PG_locked", as_label(frame)}),
      ptl({"ptl", as_label(frame)}),
      slots{{slot({}, {"entry", as_label(frame), 0}), slot({}, {"entry", as_label(frame), 1}),
             slot({}, {"entry", as_label(frame), 2}), slot({}, {"entry", as_label(frame), 3})}} {
    static_assert(PTRS_PER_TABLE == 4, "update the slot initialisers");
    rcu_member_offset.store(reinterpret_cast<char*>(&rcu) - reinterpret_cast<char*>(this), std::memory_order_relaxed);
}

page* page_of_rcu_head(kernel::rcu_head* head) {
    return reinterpret_cast<page*>(reinterpret_cast<char*>(head) - rcu_member_offset.load(std::memory_order_relaxed));
}

mem_map::mem_map(unsigned long n) : nr_pages(n) {
    pages.reserve(n);
    for (unsigned long pfn = 0; pfn < n; ++pfn) pages.push_back(std::make_unique<page>(pfn, this));
}

page* pfn_to_page(mem_map& memory, unsigned long pfn) {
    if (pfn >= memory.nr_pages) return memory.pages[0].get();  // beyond memory: the reserved page
    return memory.pages[pfn].get();
}

page* alloc_pages(mem_map& memory, page_use use, unsigned order) {
    kernel::backend::bookkeeping_guard guard;
    const unsigned long nr = 1ul << order;
    for (unsigned long pfn = nr; pfn + nr <= memory.nr_pages; pfn += nr) {
        bool all_free = true;
        for (unsigned long i = 0; i < nr && all_free; ++i) all_free = memory.pages[pfn + i]->use == page_use::free;
        if (!all_free) continue;
        page* head = memory.pages[pfn].get();
        head->use = use;
        head->order = order;
        ++head->generation;
        head->compound_head = nullptr;
        for (unsigned long i = 1; i < nr; ++i) {
            memory.pages[pfn + i]->use = page_use::tail;
            memory.pages[pfn + i]->compound_head = head;
        }
        return head;
    }
    return nullptr;
}

namespace {

bool is_table(page_use use) {
    return use == page_use::pgd_table || use == page_use::pud_table || use == page_use::pmd_table ||
           use == page_use::pte_table;
}

// A freed table's entries are retired (model/kernel/atomic.h): the free is a write
// to each, so an engine that reorders only dependent steps still puts a lockless
// walker's entry read on both sides of it. The first entry is retired before the
// page is marked free, the others after, so every entry read that sees the free
// comes after a retire of its own entry or of entry 0.
void retire_entries(page* table, unsigned from, unsigned to) {
    for (unsigned i = from; i < to; ++i) table->slots[i].retire(std::source_location::current());
}

}  // namespace

void __free_pages(page* p, unsigned order) {
    bool table;
    {
        kernel::backend::bookkeeping_guard guard;
        table = order == 0 && is_table(p->use);
    }
    if (table) retire_entries(p, 0, 1);
    {
        kernel::backend::bookkeeping_guard guard;
        if (p->use == page_use::free || p->use == page_use::reserved || p->use == page_use::tail)
            kernel::report_violation(kernel::violation_kind::accounting,
                                     "page pfn " + std::to_string(p->pfn) + " freed while " +
                                         std::string(page_use_name(p->use)));
        for (unsigned long i = 0; i < (1ul << order); ++i) {
            page& q = *p->memory->pages[p->pfn + i];
            q.use = page_use::free;
            q.compound_head = nullptr;
            q.order = 0;
        }
    }
    if (table) retire_entries(p, 1, PTRS_PER_TABLE);
}

unsigned long reserve_device_range(mem_map& memory, unsigned long nr, unsigned long align) {
    kernel::backend::bookkeeping_guard guard;
    for (unsigned long pfn = align; pfn + nr <= memory.nr_pages; pfn += align) {
        bool all_free = true;
        for (unsigned long i = 0; i < nr && all_free; ++i) all_free = memory.pages[pfn + i]->use == page_use::free;
        if (!all_free) continue;
        for (unsigned long i = 0; i < nr; ++i) memory.pages[pfn + i]->use = page_use::device;
        return pfn;
    }
    return 0;
}

}  // namespace mm
MMCHECK_ENGINE_END
