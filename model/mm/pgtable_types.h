// Page-table entry values and their bit helpers, x86-64-like
// (arch/x86/include/asm/pgtable_types.h and pgtable.h, v6.6).
//
// Simplification, stated once here: every table has PTRS_PER_TABLE = 4 slots
// instead of 512 and the p4d level is folded into the pgd, so a model address
// space is 2^20 bytes: a huge pmd maps 4 pages and a huge pud 16. Entry bits and
// the helpers' logic are x86-64's.
#pragma once

#include <cstdint>
#include <string>

#include "model/kernel/detail/engine_ns.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

inline constexpr unsigned PAGE_SHIFT = 12;
inline constexpr unsigned long PAGE_SIZE = 1ul << PAGE_SHIFT;
inline constexpr unsigned long PAGE_MASK = ~(PAGE_SIZE - 1);
inline constexpr unsigned PTRS_PER_TABLE = 4;
inline constexpr unsigned TABLE_INDEX_BITS = 2;
inline constexpr unsigned PTRS_PER_PTE = PTRS_PER_TABLE;
inline constexpr unsigned PTRS_PER_PMD = PTRS_PER_TABLE;
inline constexpr unsigned PTRS_PER_PUD = PTRS_PER_TABLE;
inline constexpr unsigned PTRS_PER_PGD = PTRS_PER_TABLE;
inline constexpr unsigned PMD_SHIFT = PAGE_SHIFT + TABLE_INDEX_BITS;
inline constexpr unsigned PUD_SHIFT = PMD_SHIFT + TABLE_INDEX_BITS;
inline constexpr unsigned PGDIR_SHIFT = PUD_SHIFT + TABLE_INDEX_BITS;
inline constexpr unsigned long PMD_SIZE = 1ul << PMD_SHIFT;
inline constexpr unsigned long PMD_MASK = ~(PMD_SIZE - 1);
inline constexpr unsigned long PUD_SIZE = 1ul << PUD_SHIFT;
inline constexpr unsigned long PUD_MASK = ~(PUD_SIZE - 1);
inline constexpr unsigned long HPAGE_PMD_NR = PMD_SIZE / PAGE_SIZE;
inline constexpr unsigned long HPAGE_PUD_NR = PUD_SIZE / PAGE_SIZE;
inline constexpr unsigned long TASK_SIZE = 1ul << (PGDIR_SHIFT + TABLE_INDEX_BITS);

// Entry bits, as on x86-64.
inline constexpr std::uint64_t _PAGE_PRESENT = 1ull << 0;
inline constexpr std::uint64_t _PAGE_RW = 1ull << 1;
inline constexpr std::uint64_t _PAGE_USER = 1ull << 2;
inline constexpr std::uint64_t _PAGE_ACCESSED = 1ull << 5;
inline constexpr std::uint64_t _PAGE_DIRTY = 1ull << 6;
inline constexpr std::uint64_t _PAGE_PSE = 1ull << 7;          // leaf at pmd/pud level
inline constexpr std::uint64_t _PAGE_PROTNONE = 1ull << 8;     // GLOBAL bit reused when !present
inline constexpr std::uint64_t _PAGE_SPECIAL = 1ull << 9;      // SOFTW1
inline constexpr std::uint64_t _PAGE_SOFT_DIRTY = 1ull << 11;  // SOFTW3
inline constexpr std::uint64_t _PAGE_DEVMAP = 1ull << 57;      // SOFTW4
inline constexpr std::uint64_t _PAGE_SWP_TYPE_SHIFT = 58;      // model's swap encoding: model/mm/swapops.h
inline constexpr std::uint64_t PTE_PFN_MASK = ((1ull << 52) - 1) & ~((1ull << PAGE_SHIFT) - 1);
inline constexpr std::uint64_t _PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;

// One slot of a table page: the raw word, decoded for traces by describe().
struct pgtable_word {
    std::uint64_t val = 0;
};
std::string describe(pgtable_word w);

struct pte_t { std::uint64_t pte = 0; };
struct pmd_t { std::uint64_t pmd = 0; };
struct pud_t { std::uint64_t pud = 0; };
struct pgd_t { std::uint64_t pgd = 0; };
struct pgprot_t { std::uint64_t pgprot = 0; };

inline std::uint64_t pte_val(pte_t e) { return e.pte; }
inline std::uint64_t pmd_val(pmd_t e) { return e.pmd; }
inline std::uint64_t pud_val(pud_t e) { return e.pud; }
inline std::uint64_t pgd_val(pgd_t e) { return e.pgd; }
inline pte_t __pte(std::uint64_t v) { return {v}; }
inline pmd_t __pmd(std::uint64_t v) { return {v}; }
inline pud_t __pud(std::uint64_t v) { return {v}; }
inline pgd_t __pgd(std::uint64_t v) { return {v}; }

inline constexpr pgprot_t PAGE_READONLY{_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED};
inline constexpr pgprot_t PAGE_SHARED{_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED};
// x86 PAGE_NONE (_PAGE_GLOBAL, here _PAGE_PROTNONE, and accessed): NUMA hinting's protection.
inline constexpr pgprot_t PAGE_NONE{_PAGE_PROTNONE | _PAGE_ACCESSED};

// --- pud ---------------------------------------------------------------------------
inline bool pud_none(pud_t p) { return pud_val(p) == 0; }
inline bool pud_present(pud_t p) { return pud_val(p) & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE); }
inline bool pud_trans_huge(pud_t p) { return (pud_val(p) & (_PAGE_PSE | _PAGE_DEVMAP)) == _PAGE_PSE; }
inline bool pud_devmap(pud_t p) { return pud_val(p) & _PAGE_DEVMAP; }
inline bool pud_leaf(pud_t p) { return pud_val(p) & _PAGE_PSE; }
inline bool pud_write(pud_t p) { return pud_val(p) & _PAGE_RW; }
inline bool pud_dirty(pud_t p) { return pud_val(p) & _PAGE_DIRTY; }
inline bool pud_young(pud_t p) { return pud_val(p) & _PAGE_ACCESSED; }
// x86 pud_bad(): a non-leaf entry whose flags are not those of a table.
inline bool pud_bad(pud_t p) {
    return (pud_val(p) & ~PTE_PFN_MASK & ~(_PAGE_USER | _PAGE_PSE)) != (_PAGE_TABLE & ~_PAGE_USER);
}
inline unsigned long pud_pfn(pud_t p) { return (pud_val(p) & PTE_PFN_MASK) >> PAGE_SHIFT; }
inline pud_t pfn_pud(unsigned long pfn, pgprot_t prot) { return __pud((std::uint64_t(pfn) << PAGE_SHIFT) | prot.pgprot); }
inline pud_t pud_mkhuge(pud_t p) { return __pud(pud_val(p) | _PAGE_PSE); }
inline pud_t pud_mkdevmap(pud_t p) { return __pud(pud_val(p) | _PAGE_DEVMAP); }
inline pud_t pud_mkyoung(pud_t p) { return __pud(pud_val(p) | _PAGE_ACCESSED); }
inline pud_t pud_mkdirty(pud_t p) { return __pud(pud_val(p) | _PAGE_DIRTY | _PAGE_SOFT_DIRTY); }
inline pud_t pud_mkwrite(pud_t p) { return __pud(pud_val(p) | _PAGE_RW); }

// --- pmd ---------------------------------------------------------------------------
inline bool pmd_none(pmd_t p) { return pmd_val(p) == 0; }
// A pmd under pmdp_invalidate() has PRESENT clear but PSE kept: still present.
inline bool pmd_present(pmd_t p) { return pmd_val(p) & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE); }
inline bool pmd_trans_huge(pmd_t p) { return (pmd_val(p) & (_PAGE_PSE | _PAGE_DEVMAP)) == _PAGE_PSE; }
inline bool pmd_devmap(pmd_t p) { return pmd_val(p) & _PAGE_DEVMAP; }
inline bool pmd_leaf(pmd_t p) { return pmd_val(p) & _PAGE_PSE; }
inline bool pmd_write(pmd_t p) { return pmd_val(p) & _PAGE_RW; }
inline bool pmd_dirty(pmd_t p) { return pmd_val(p) & _PAGE_DIRTY; }
inline bool pmd_young(pmd_t p) { return pmd_val(p) & _PAGE_ACCESSED; }
inline bool pmd_bad(pmd_t p) { return (pmd_val(p) & ~PTE_PFN_MASK & ~_PAGE_USER) != (_PAGE_TABLE & ~_PAGE_USER); }
inline unsigned long pmd_pfn(pmd_t p) { return (pmd_val(p) & PTE_PFN_MASK) >> PAGE_SHIFT; }
inline pmd_t pfn_pmd(unsigned long pfn, pgprot_t prot) { return __pmd((std::uint64_t(pfn) << PAGE_SHIFT) | prot.pgprot); }
inline pmd_t pmd_mkhuge(pmd_t p) { return __pmd(pmd_val(p) | _PAGE_PSE); }
inline pmd_t pmd_mkdevmap(pmd_t p) { return __pmd(pmd_val(p) | _PAGE_DEVMAP); }
inline pmd_t pmd_mkyoung(pmd_t p) { return __pmd(pmd_val(p) | _PAGE_ACCESSED); }
inline pmd_t pmd_mkdirty(pmd_t p) { return __pmd(pmd_val(p) | _PAGE_DIRTY | _PAGE_SOFT_DIRTY); }
inline pmd_t pmd_mkwrite(pmd_t p) { return __pmd(pmd_val(p) | _PAGE_RW); }
inline pmd_t pmd_mkinvalid(pmd_t p) { return __pmd(pmd_val(p) & ~(_PAGE_PRESENT | _PAGE_PROTNONE)); }
// NUMA hinting's PROT_NONE: not present to the MMU, present to the kernel.
inline bool pmd_protnone(pmd_t p) { return (pmd_val(p) & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE; }
// pmd_modify(): keep the pfn and the huge/accessed/dirty bits, take the
// protection from newprot.
inline pmd_t pmd_modify(pmd_t p, pgprot_t newprot) {
    constexpr std::uint64_t chg =
        PTE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_PSE | _PAGE_SOFT_DIRTY | _PAGE_DEVMAP | _PAGE_SPECIAL;
    return __pmd((pmd_val(p) & chg) | (newprot.pgprot & ~chg));
}

// --- pte ---------------------------------------------------------------------------
inline bool pte_none(pte_t p) { return pte_val(p) == 0; }
inline bool pte_present(pte_t p) { return pte_val(p) & (_PAGE_PRESENT | _PAGE_PROTNONE); }
inline bool pte_write(pte_t p) { return pte_val(p) & _PAGE_RW; }
inline bool pte_dirty(pte_t p) { return pte_val(p) & _PAGE_DIRTY; }
inline bool pte_young(pte_t p) { return pte_val(p) & _PAGE_ACCESSED; }
inline bool pte_special(pte_t p) { return pte_val(p) & _PAGE_SPECIAL; }
inline bool pte_protnone(pte_t p) { return (pte_val(p) & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE; }
inline unsigned long pte_pfn(pte_t p) { return (pte_val(p) & PTE_PFN_MASK) >> PAGE_SHIFT; }
inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot) { return __pte((std::uint64_t(pfn) << PAGE_SHIFT) | prot.pgprot); }
inline pte_t pte_mkspecial(pte_t p) { return __pte(pte_val(p) | _PAGE_SPECIAL); }
inline pte_t pte_mkyoung(pte_t p) { return __pte(pte_val(p) | _PAGE_ACCESSED); }
inline pte_t pte_mkdirty(pte_t p) { return __pte(pte_val(p) | _PAGE_DIRTY | _PAGE_SOFT_DIRTY); }
inline pte_t pte_mkwrite(pte_t p) { return __pte(pte_val(p) | _PAGE_RW); }
// pte_modify(): keep the pfn and the accessed/dirty/special bits, take the
// protection from newprot.
inline pte_t pte_modify(pte_t p, pgprot_t newprot) {
    constexpr std::uint64_t chg = PTE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SOFT_DIRTY | _PAGE_SPECIAL;
    return __pte((pte_val(p) & chg) | (newprot.pgprot & ~chg));
}
inline pte_t pte_wrprotect(pte_t p) { return __pte(pte_val(p) & ~_PAGE_RW); }
inline pte_t pte_mkclean(pte_t p) { return __pte(pte_val(p) & ~_PAGE_DIRTY); }
inline pte_t pte_mkold(pte_t p) { return __pte(pte_val(p) & ~_PAGE_ACCESSED); }
inline pmd_t pmd_mkold(pmd_t p) { return __pmd(pmd_val(p) & ~_PAGE_ACCESSED); }
inline pmd_t pmd_wrprotect(pmd_t p) { return __pmd(pmd_val(p) & ~_PAGE_RW); }
inline pmd_t pmd_mkclean(pmd_t p) { return __pmd(pmd_val(p) & ~_PAGE_DIRTY); }
inline pud_t pud_wrprotect(pud_t p) { return __pud(pud_val(p) & ~_PAGE_RW); }
inline pud_t pud_mkclean(pud_t p) { return __pud(pud_val(p) & ~_PAGE_DIRTY); }
inline bool pte_same(pte_t a, pte_t b) { return pte_val(a) == pte_val(b); }
inline bool pmd_same(pmd_t a, pmd_t b) { return pmd_val(a) == pmd_val(b); }
inline bool pud_same(pud_t a, pud_t b) { return pud_val(a) == pud_val(b); }

// --- indices -------------------------------------------------------------------------
inline unsigned pgd_index(unsigned long address) { return (address >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1); }
inline unsigned pud_index(unsigned long address) { return (address >> PUD_SHIFT) & (PTRS_PER_PUD - 1); }
inline unsigned pmd_index(unsigned long address) { return (address >> PMD_SHIFT) & (PTRS_PER_PMD - 1); }
inline unsigned pte_index(unsigned long address) { return (address >> PAGE_SHIFT) & (PTRS_PER_PTE - 1); }

}  // namespace mm
MMCHECK_ENGINE_END
