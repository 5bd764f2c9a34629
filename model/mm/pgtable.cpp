// See pgtable.h. x86-64 (arch/x86/include/asm/pgtable.h, pgalloc.h) and generic
// (include/linux/pgtable.h, include/linux/mm.h) helpers, v6.6.
#include "model/mm/pgtable.h"

#include <string>

#include "model/mm/pgtable_classes.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

namespace {

using kernel::mo;
using kernel::violation_kind;
using site = std::source_location;

std::string where_text(const page* table, unsigned index) {
    return "pfn " + std::to_string(table->pfn) + " slot " + std::to_string(index);
}

// The check behind every handle: the page must still be the table it was.
template <class Handle>
void check_table(const Handle& h, page_use expected, const char* accessor, const site& where) {
    page_use use;
    unsigned generation;
    {
        kernel::backend::bookkeeping_guard guard;
        use = h.table->use;
        generation = h.table->generation;
    }
    if (use == expected && generation == h.generation) return;
    const std::string target = std::string(accessor) + " on " + where_text(h.table, h.index);
    // A page freed since the handle was taken is a use after free even before it
    // is reused: nothing maps a free page unless a table was freed under a user.
    if (generation != h.generation || use == page_use::free)
        kernel::report_violation(violation_kind::table_use_after_free,
                                 target + ": that page was a " + std::string(page_use_name(expected)) +
                                     " when the pointer was taken, and has since been freed" +
                                     (use == page_use::free ? "" : " and reused as " + std::string(page_use_name(use))),
                                 where);
    kernel::report_violation(violation_kind::descend_through_non_table,
                             target + ", which is " + std::string(page_use_name(use)) + ", not a " +
                                 std::string(page_use_name(expected)) +
                                 ": pXd_offset() followed a parent entry that was none or a leaf",
                             where);
}

template <class Handle>
Handle handle_to(page* table, unsigned index) {
    kernel::backend::bookkeeping_guard guard;
    return Handle{table, index, table->generation};
}

// The classes lockless readers tell apart, for the levels the
// no-lying-intermediate-value check covers (model/kernel/intermediate.h): pud
// and pmd entries. pte entries are left out: the kernel rewrites them in two
// steps under the ptl (ptep_modify_prot_start()/commit(), ptep_clear_flush()
// then set_pte_at()), and a lockless reader that sees the transient pte_none()
// faults and waits for the ptl. pgd entries are only ever populated.
const kernel::entry_classes* reader_classes(page_use level) {
    if (level == page_use::pmd_table) return &pmd_reader_classes();
    if (level == page_use::pud_table) return &pud_reader_classes();
    return nullptr;
}

// The table is checked right after the access, in the same step: a table freed
// before the access (page_alloc.cpp retires its entries) is caught at it. Every
// entry access also feeds the revalidate-after-locking check
// (model/kernel/revalidate.h): loads and exchanges are reads of the entry, and a
// store is checked against the entry's lock, then known to its writer. Loads,
// and stores and exchanges under the entry's lock, feed the
// no-lying-intermediate-value check.
template <class Handle>
std::uint64_t load(const Handle& h, page_use level, mo order, const char* op, const site& where) {
    auto& slot = h.table->slots[h.index];
    const std::uint64_t v = slot.load(order, op, where).val;
    check_table(h, level, op, where);
    kernel::note_entry_read(&slot);
    if (reader_classes(level) != nullptr) kernel::note_entry_load(&slot, v, where);
    return v;
}

template <class Handle>
void store(const Handle& h, page_use level, const kernel::spinlock_t* lock, std::uint64_t v, const char* op,
           const site& where) {
    auto& slot = h.table->slots[h.index];
    kernel::check_entry_write(&slot, lock, slot.name(), op, where);
    const kernel::entry_classes* classes = reader_classes(level);
    const std::uint64_t before = classes != nullptr ? slot.latest_value().val : 0;
    slot.store(pgtable_word{v}, mo::relaxed, op, where);
    check_table(h, level, op, where);
    kernel::note_entry_read(&slot);
    if (classes != nullptr) kernel::note_locked_entry_write(&slot, lock, slot.name(), before, v, *classes, where);
}

template <class Handle>
std::uint64_t exchange(const Handle& h, page_use level, const kernel::spinlock_t* lock, std::uint64_t v,
                       const char* op, const site& where) {
    check_table(h, level, op, where);
    auto& slot = h.table->slots[h.index];
    const std::uint64_t old = slot.exchange(pgtable_word{v}, mo::seq_cst, op, where).val;
    kernel::note_entry_read(&slot);
    if (const kernel::entry_classes* classes = reader_classes(level))
        kernel::note_locked_entry_write(&slot, lock, slot.name(), old, v, *classes, where);
    return old;
}

// One atomic RMW clearing `bits` (x86 clear_bit(), a locked AND): a cmpxchg
// loop from a relaxed load, retried if the MMU set A or D in between.
template <class Handle>
void clear_bits(const Handle& h, page_use level, const kernel::spinlock_t* lock, std::uint64_t bits, const char* op,
                const site& where) {
    check_table(h, level, op, where);
    auto& slot = h.table->slots[h.index];
    std::uint64_t old = slot.load(mo::relaxed, op, where).val;
    for (;;) {
        const std::uint64_t seen = slot.compare_exchange(pgtable_word{old}, pgtable_word{old & ~bits}, mo::seq_cst, op, where).val;
        if (seen == old) break;
        old = seen;
    }
    kernel::note_entry_read(&slot);
    if (const kernel::entry_classes* classes = reader_classes(level))
        kernel::note_locked_entry_write(&slot, lock, slot.name(), old, old & ~bits, *classes, where);
}

// The lock of an entry: a pmd or pte table's split ptl lives in its own page;
// pud and pgd entries are under mm->page_table_lock (pud_lockptr()).
const kernel::spinlock_t* split_ptl(const page* table) { return &table->ptl; }
const kernel::spinlock_t* mm_ptl(const mm_struct* mm) { return mm ? &mm->page_table_lock : nullptr; }

std::uint64_t table_entry(const page* table) { return (std::uint64_t(table->pfn) << PAGE_SHIFT) | _PAGE_TABLE; }

void zero_table(page* table) {
    // __GFP_ZERO: the page is private until populated, so plain-ordered stores.
    for (auto& slot : table->slots) slot.store(pgtable_word{0}, mo::relaxed, "clear_page", site::current());
}

}  // namespace

pgdp_t pgd_offset(mm_struct* mm, unsigned long address) { return handle_to<pgdp_t>(mm->pgd, pgd_index(address)); }

pudp_t pud_offset(pgdp_t pgd, unsigned long address, const site& where) {
    const pgd_t entry = deref(pgd, where);
    return handle_to<pudp_t>(pfn_to_page(*pgd.table->memory, (pgd_val(entry) & PTE_PFN_MASK) >> PAGE_SHIFT),
                             pud_index(address));
}

pmdp_t pmd_offset(pudp_t pud, unsigned long address, const site& where) {
    // pud_pgtable(*pud) + pmd_index(address): pointer arithmetic on whatever *pud holds.
    const pud_t entry = deref(pud, where);
    return handle_to<pmdp_t>(pfn_to_page(*pud.table->memory, pud_pfn(entry)), pmd_index(address));
}

ptep_t pte_offset_map(pmdp_t pmd, unsigned long address, const site& where) {
    const pmd_t entry = deref(pmd, where);
    return handle_to<ptep_t>(pfn_to_page(*pmd.table->memory, pmd_pfn(entry)), pte_index(address));
}

pgd_t deref(pgdp_t p, const site& where) { return __pgd(load(p, page_use::pgd_table, mo::relaxed, "*pgd", where)); }
pud_t deref(pudp_t p, const site& where) { return __pud(load(p, page_use::pud_table, mo::relaxed, "*pud", where)); }
pmd_t deref(pmdp_t p, const site& where) { return __pmd(load(p, page_use::pmd_table, mo::relaxed, "*pmd", where)); }
pte_t deref(ptep_t p, const site& where) { return __pte(load(p, page_use::pte_table, mo::relaxed, "*pte", where)); }
pud_t pudp_get(pudp_t p, const site& where) { return __pud(load(p, page_use::pud_table, mo::consume, "pudp_get", where)); }
pmd_t pmdp_get(pmdp_t p, const site& where) { return __pmd(load(p, page_use::pmd_table, mo::consume, "pmdp_get", where)); }
pmd_t pmdp_get_lockless(pmdp_t p, const site& where) {
    return __pmd(load(p, page_use::pmd_table, mo::consume, "pmdp_get_lockless", where));
}
pte_t ptep_get(ptep_t p, const site& where) { return __pte(load(p, page_use::pte_table, mo::consume, "ptep_get", where)); }

void set_pgd(pgdp_t p, pgd_t v, const site& where) { store(p, page_use::pgd_table, nullptr, pgd_val(v), "set_pgd", where); }
void set_pud_at(mm_struct* mm, unsigned long, pudp_t p, pud_t v, const site& where) {
    store(p, page_use::pud_table, mm_ptl(mm), pud_val(v), "set_pud_at", where);
}
void set_pmd_at(mm_struct*, unsigned long, pmdp_t p, pmd_t v, const site& where) {
    store(p, page_use::pmd_table, split_ptl(p.table), pmd_val(v), "set_pmd_at", where);
}
void set_pte_at(mm_struct*, unsigned long, ptep_t p, pte_t v, const site& where) {
    store(p, page_use::pte_table, split_ptl(p.table), pte_val(v), "set_pte_at", where);
}
void pgd_populate(mm_struct* mm, pgdp_t pgd, page* pud_table, const site& where) {
    store(pgd, page_use::pgd_table, mm_ptl(mm), table_entry(pud_table), "pgd_populate", where);
}
void pud_populate(mm_struct* mm, pudp_t pud, page* pmd_table, const site& where) {
    store(pud, page_use::pud_table, mm_ptl(mm), table_entry(pmd_table), "pud_populate", where);
}
void pmd_populate(mm_struct*, pmdp_t pmd, page* pte_table, const site& where) {
    store(pmd, page_use::pmd_table, split_ptl(pmd.table), table_entry(pte_table), "pmd_populate", where);
}

kernel::spinlock_t* pud_lockptr(mm_struct* mm, pudp_t) { return &mm->page_table_lock; }

kernel::spinlock_t* pud_lock(mm_struct* mm, pudp_t pud, const site& where) {
    kernel::spinlock_t* ptl = pud_lockptr(mm, pud);
    kernel::spin_lock(ptl, where);
    return ptl;
}

kernel::spinlock_t* pmd_lockptr(mm_struct*, pmdp_t pmd, const site& where) {
    // ptlock_ptr(pmd_ptdesc(pmd)): the lock lives in the pmd table's own page.
    check_table(pmd, page_use::pmd_table, "pmd_lockptr", where);
    return &pmd.table->ptl;
}

kernel::spinlock_t* pmd_lock(mm_struct* mm, pmdp_t pmd, const site& where) {
    kernel::spinlock_t* ptl = pmd_lockptr(mm, pmd, where);
    kernel::spin_lock(ptl, where);
    return ptl;
}

kernel::spinlock_t* pte_lockptr(mm_struct*, pmdp_t pmd, const site& where) {
    // ptlock_ptr(page_ptdesc(pmd_page(*pmd))): the lock of the pte table *pmd names.
    const pmd_t entry = deref(pmd, where);
    page* table = pfn_to_page(*pmd.table->memory, pmd_pfn(entry));
    check_table(handle_to<ptep_t>(table, 0), page_use::pte_table, "pte_lockptr", where);
    return &table->ptl;
}

ptep_t pte_offset_map_lock(mm_struct* mm, pmdp_t pmd, unsigned long address, kernel::spinlock_t** ptlp,
                           const site& where) {
    kernel::spinlock_t* ptl = pte_lockptr(mm, pmd, where);
    const ptep_t pte = pte_offset_map(pmd, address, where);
    kernel::spin_lock(ptl, where);
    *ptlp = ptl;
    return pte;
}

void pte_unmap_unlock(ptep_t pte, kernel::spinlock_t* ptl, const site& where) {
    kernel::spin_unlock(ptl, where);
    pte_unmap(pte);
}

page* pmd_alloc_one(mm_struct* mm, unsigned long) {
    page* table = alloc_pages(mm->memory, page_use::pmd_table);
    if (table) zero_table(table);
    return table;
}

page* pte_alloc_one(mm_struct* mm) {
    page* table = alloc_pages(mm->memory, page_use::pte_table);
    if (table) zero_table(table);
    return table;
}

void pmd_free(mm_struct*, page* table) { __free_pages(table); }
void pte_free(mm_struct*, page* table) { __free_pages(table); }

void mm_inc_nr_pmds(mm_struct* mm, const site& where) {
    kernel::atomic_long_add_return(long(PTRS_PER_PMD * sizeof(pmd_t)), mm->pgtables_bytes, where);
}
void mm_inc_nr_ptes(mm_struct* mm, const site& where) {
    kernel::atomic_long_add_return(long(PTRS_PER_PTE * sizeof(pte_t)), mm->pgtables_bytes, where);
}
void mm_dec_nr_ptes(mm_struct* mm, const site& where) {
    kernel::atomic_long_add_return(-long(PTRS_PER_PTE * sizeof(pte_t)), mm->pgtables_bytes, where);
}

pmdp_t pmd_handle(page* table, unsigned index) { return handle_to<pmdp_t>(table, index); }
ptep_t pte_handle(page* table, unsigned index) { return handle_to<ptep_t>(table, index); }

pmd_t pmdp_huge_get_and_clear(mm_struct*, unsigned long, pmdp_t p, const site& where) {
    return __pmd(exchange(p, page_use::pmd_table, split_ptl(p.table), 0, "pmdp_huge_get_and_clear", where));
}
pmd_t pmdp_establish(vm_area_struct*, unsigned long, pmdp_t p, pmd_t v, const site& where) {
    return __pmd(exchange(p, page_use::pmd_table, split_ptl(p.table), pmd_val(v), "pmdp_establish", where));
}
pte_t ptep_get_and_clear(mm_struct*, unsigned long, ptep_t p, const site& where) {
    return __pte(exchange(p, page_use::pte_table, split_ptl(p.table), 0, "ptep_get_and_clear", where));
}

void ptep_set_wrprotect(mm_struct*, unsigned long, ptep_t p, const site& where) {
    clear_bits(p, page_use::pte_table, split_ptl(p.table), _PAGE_RW, "ptep_set_wrprotect", where);
}
void pmdp_set_wrprotect(mm_struct*, unsigned long, pmdp_t p, const site& where) {
    clear_bits(p, page_use::pmd_table, split_ptl(p.table), _PAGE_RW, "pmdp_set_wrprotect", where);
}

pud_t pudp_huge_get_and_clear(mm_struct* mm, unsigned long, pudp_t p, const site& where) {
    return __pud(exchange(p, page_use::pud_table, mm_ptl(mm), 0, "pudp_huge_get_and_clear", where));
}
void mm_dec_nr_pmds(mm_struct* mm, const site& where) {
    kernel::atomic_long_add_return(-long(PTRS_PER_PMD * sizeof(pmd_t)), mm->pgtables_bytes, where);
}
void pgd_clear(pgdp_t p, const site& where) { store(p, page_use::pgd_table, nullptr, 0, "pgd_clear", where); }
void pud_clear(pudp_t p, const site& where) { store(p, page_use::pud_table, nullptr, 0, "pud_clear", where); }
void pmd_clear(pmdp_t p, const site& where) { store(p, page_use::pmd_table, split_ptl(p.table), 0, "pmd_clear", where); }

void entry_known_under_lock(pmdp_t p) { kernel::entry_known_under_lock(&p.table->slots[p.index]); }
void entry_known_under_lock(ptep_t p) { kernel::entry_known_under_lock(&p.table->slots[p.index]); }

}  // namespace mm
MMCHECK_ENGINE_END
