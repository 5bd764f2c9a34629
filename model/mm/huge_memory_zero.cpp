// The huge zero page: get_huge_zero_page(), put_huge_zero_page(),
// mm_get_huge_zero_page(), mm_put_huge_zero_page(), is_huge_zero_page() and
// is_huge_zero_pmd() — mm/huge_memory.c, include/linux/huge_mm.h v6.6.
//
// Simplifications, stated once here: the globals are the model machine's
// (page.h huge_zero_globals); there is no shrinker, so the reference the first
// allocation keeps for it is never dropped and the page, once allocated, is
// never freed (huge_zero_pfn is written once, from ~0). The page is order
// HPAGE_PMD_ORDER with use huge_zero on its head, zeroed by nobody (the model
// has no data). It carries one page reference, the allocator's; GUP-fast
// references add to it as they do in the kernel.
#include "model/mm/huge_memory.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

constexpr unsigned long MMF_HUGE_ZERO_PAGE = 1ul << 23;  // include/linux/sched/coredump.h v6.6

// test_bit() / test_and_set_bit() on mm->flags (include/asm-generic/bitops):
// the model's mm->flags has this one bit, so a cmpxchg loop does.
bool test_bit(unsigned long mask, const marked<unsigned long>& flags) { return READ_ONCE(flags) & mask; }
bool test_and_set_bit(unsigned long mask, marked<unsigned long>& flags) {
    unsigned long old = READ_ONCE(flags);
    while (!(old & mask)) {
        const unsigned long found = cmpxchg(flags, old, old | mask);
        if (found == old) return false;
        old = found;
    }
    return true;
}

// get_huge_zero_page() — mm/huge_memory.c v6.6.
bool get_huge_zero_page(mem_map& memory) {
    huge_zero_globals& hz = memory.huge_zero;
    for (;;) {  // retry:
        if (atomic_inc_not_zero(hz.huge_zero_refcount)) return true;
        page* zero_page = alloc_pages(memory, page_use::huge_zero, TABLE_INDEX_BITS);  // HPAGE_PMD_ORDER
        if (!zero_page) return false;  // THP_ZERO_PAGE_ALLOC_FAILED
        atomic_set(zero_page->_refcount, 1);  // prep_new_page()
        if (cmpxchg(hz.huge_zero_page, static_cast<page*>(nullptr), zero_page) != nullptr) {
            // Another CPU allocated it first; wait for it to publish the count.
            __free_pages(zero_page, TABLE_INDEX_BITS);
            backend::retry_hint(std::source_location::current());
            continue;
        }
        WRITE_ONCE(hz.huge_zero_pfn, page_to_pfn(zero_page));
        /* We take additional reference here. It will be put back by shrinker */
        atomic_set(hz.huge_zero_refcount, 2);
        return true;
    }
}

// put_huge_zero_page() — mm/huge_memory.c v6.6.
void put_huge_zero_page(mem_map& memory) {
    // Counter should never go to zero here. Only shrinker can put last reference.
    VM_BUG_ON(atomic_dec_and_test(memory.huge_zero.huge_zero_refcount), "BUG_ON(atomic_dec_and_test(&huge_zero_refcount))");
}

}  // namespace

// mm_get_huge_zero_page() — mm/huge_memory.c v6.6: one huge_zero_refcount
// reference per mm, taken the first time and kept until the mm goes.
page* mm_get_huge_zero_page(mm_struct* mm) {
    if (test_bit(MMF_HUGE_ZERO_PAGE, mm->flags)) return READ_ONCE(mm->memory.huge_zero.huge_zero_page);
    if (!get_huge_zero_page(mm->memory)) return nullptr;
    if (test_and_set_bit(MMF_HUGE_ZERO_PAGE, mm->flags)) put_huge_zero_page(mm->memory);
    return READ_ONCE(mm->memory.huge_zero.huge_zero_page);
}

// mm_put_huge_zero_page() — mm/huge_memory.c v6.6, from __mmput().
void mm_put_huge_zero_page(mm_struct* mm) {
    if (test_bit(MMF_HUGE_ZERO_PAGE, mm->flags)) put_huge_zero_page(mm->memory);
}

// is_huge_zero_page() — include/linux/huge_mm.h v6.6.
// The use_zero_page shortcut of is_huge_zero_pmd() below applies here too.
bool is_huge_zero_page(mm_struct* mm, const page* p) {
    if (!transparent_hugepage_use_zero_page(mm)) return false;
    return READ_ONCE(mm->memory.huge_zero.huge_zero_page) == p;
}

// is_huge_zero_pmd() — include/linux/huge_mm.h v6.6. With use_zero_page off
// nothing ever allocates the page and huge_zero_pfn stays ~0, so the model
// skips the load there: the answer is the same, and the scenarios that never
// use the huge zero page get no extra scheduling point in every huge-pmd path.
bool is_huge_zero_pmd(mm_struct* mm, pmd_t pmd) {
    if (!transparent_hugepage_use_zero_page(mm)) return false;
    return pmd_present(pmd) && READ_ONCE(mm->memory.huge_zero.huge_zero_pfn) == pmd_pfn(pmd);
}

}  // namespace mm
MMCHECK_ENGINE_END
