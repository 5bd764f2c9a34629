// See hw_access.h: the x86-64 page walk and A/D-bit update as hardware does it.
#include "model/arch/x86/hw_access.h"

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// A leaf the access may use: present, user, and writable for a store.
bool permits(std::uint64_t v, bool write) {
    std::uint64_t need = _PAGE_PRESENT | _PAGE_USER;
    if (write) need |= _PAGE_RW;
    return (v & need) == need;
}

enum class step { done, fault, retry };

// Sets A (and D for a store) with one cmpxchg on a leaf read as `seen`.
step update_leaf(page* table, unsigned index, std::uint64_t seen, bool write) {
    if (!permits(seen, write)) return step::fault;
    const std::uint64_t want = seen | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
    if (want == seen) return step::done;
    const pgtable_word found = cmpxchg(table->slots[index], pgtable_word{seen}, pgtable_word{want});
    return found.val == seen ? step::done : step::retry;
}

template <class Handle>
Handle handle_of(page* table, unsigned index) {
    backend::bookkeeping_guard guard;
    return Handle{table, index, table->generation};
}

// The leaf's pfn for address goes to *pfn when the access may use it.
step walk_once(mm_struct* mm, unsigned long address, bool write, unsigned long* pfn) {
    const pgd_t pgd = deref(pgd_offset(mm, address));
    if (!(pgd_val(pgd) & _PAGE_PRESENT)) return step::fault;
    const pudp_t pudp = handle_of<pudp_t>(pfn_to_page(mm->memory, (pgd_val(pgd) & PTE_PFN_MASK) >> PAGE_SHIFT),
                                          pud_index(address));
    const pud_t pud = pudp_get(pudp);
    if (!(pud_val(pud) & _PAGE_PRESENT)) return step::fault;
    if (pud_leaf(pud)) {
        *pfn = pud_pfn(pud) + ((address & ~PUD_MASK) >> PAGE_SHIFT);
        return update_leaf(pudp.table, pudp.index, pud_val(pud), write);
    }
    const pmdp_t pmdp = handle_of<pmdp_t>(pfn_to_page(mm->memory, pud_pfn(pud)), pmd_index(address));
    const pmd_t pmd = pmdp_get(pmdp);
    // Hardware looks at the PRESENT bit only: an invalidated huge pmd faults.
    if (!(pmd_val(pmd) & _PAGE_PRESENT)) return step::fault;
    if (pmd_leaf(pmd)) {
        *pfn = pmd_pfn(pmd) + pte_index(address);
        return update_leaf(pmdp.table, pmdp.index, pmd_val(pmd), write);
    }
    const ptep_t ptep = handle_of<ptep_t>(pfn_to_page(mm->memory, pmd_pfn(pmd)), pte_index(address));
    const pte_t pte = ptep_get(ptep);
    if (!(pte_val(pte) & _PAGE_PRESENT)) return step::fault;
    *pfn = pte_pfn(pte);
    return update_leaf(ptep.table, ptep.index, pte_val(pte), write);
}

}  // namespace

hw_access_result hw_access(mm_struct* mm, unsigned long address, bool write) {
    unsigned long pfn = 0;
    return hw_access(mm, address, write, &pfn);
}

hw_access_result hw_access(mm_struct* mm, unsigned long address, bool write, unsigned long* pfn) {
    for (;;) {
        switch (walk_once(mm, address, write, pfn)) {
            case step::done: return hw_access_result::done;
            case step::fault: return hw_access_result::page_fault;
            case step::retry: backend::retry_hint(std::source_location::current()); break;
        }
    }
}

}  // namespace mm
MMCHECK_ENGINE_END
