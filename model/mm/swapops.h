// Non-present, non-none ptes: swap entries and the special kinds the mm keeps in
// them, migration entries and device-private entries (include/linux/swapops.h,
// include/linux/swap.h, v6.6).
//
// Simplification, stated once here: the model has no swap devices, so the only
// swap entries are the special ones, and the arch encoding
// (arch/x86/include/asm/pgtable_64.h __swp_entry, with its inverted offset) is
// replaced by a plain one: the type in bits 58..62 (_PAGE_SWP_TYPE_SHIFT), the
// offset (a pfn) in the pte's pfn field, PRESENT, PSE and PROTNONE clear. The
// young/dirty bits of migration entries (migration_entry_supports_ad()) and the
// swp soft-dirty/uffd-wp bits are left out.
#pragma once

#include "model/mm/page.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

struct swp_entry_t {
    std::uint64_t val = 0;
};

// The special swap types, from the top of the type space down, as in
// include/linux/swap.h (SWP_DEVICE_*, SWP_MIGRATION_*); 5 type bits.
inline constexpr unsigned MAX_SWAPFILES_SHIFT = 5;
inline constexpr unsigned SWP_DEVICE_WRITE = 25;
inline constexpr unsigned SWP_DEVICE_READ = 26;
inline constexpr unsigned SWP_MIGRATION_READ = 28;
inline constexpr unsigned SWP_MIGRATION_READ_EXCLUSIVE = 29;
inline constexpr unsigned SWP_MIGRATION_WRITE = 30;

inline swp_entry_t swp_entry(unsigned type, unsigned long offset) {
    return {(std::uint64_t(type) << _PAGE_SWP_TYPE_SHIFT) | (std::uint64_t(offset) << PAGE_SHIFT)};
}
inline unsigned swp_type(swp_entry_t e) {
    return unsigned(e.val >> _PAGE_SWP_TYPE_SHIFT) & ((1u << MAX_SWAPFILES_SHIFT) - 1);
}
inline unsigned long swp_offset(swp_entry_t e) { return (e.val & PTE_PFN_MASK) >> PAGE_SHIFT; }
inline pte_t swp_entry_to_pte(swp_entry_t e) { return __pte(e.val); }
inline swp_entry_t pte_to_swp_entry(pte_t pte) { return {pte_val(pte)}; }
// is_swap_pte(): neither none nor present.
inline bool is_swap_pte(pte_t pte) { return !pte_none(pte) && !pte_present(pte); }

inline bool is_migration_entry(swp_entry_t e) {
    const unsigned t = swp_type(e);
    return t == SWP_MIGRATION_READ || t == SWP_MIGRATION_READ_EXCLUSIVE || t == SWP_MIGRATION_WRITE;
}
inline bool is_writable_migration_entry(swp_entry_t e) { return swp_type(e) == SWP_MIGRATION_WRITE; }
inline bool is_readable_migration_entry(swp_entry_t e) { return swp_type(e) == SWP_MIGRATION_READ; }
inline swp_entry_t make_readable_migration_entry(unsigned long pfn) { return swp_entry(SWP_MIGRATION_READ, pfn); }
inline swp_entry_t make_readable_exclusive_migration_entry(unsigned long pfn) {
    return swp_entry(SWP_MIGRATION_READ_EXCLUSIVE, pfn);
}
inline swp_entry_t make_writable_migration_entry(unsigned long pfn) { return swp_entry(SWP_MIGRATION_WRITE, pfn); }

inline bool is_device_private_entry(swp_entry_t e) {
    return swp_type(e) == SWP_DEVICE_WRITE || swp_type(e) == SWP_DEVICE_READ;
}
inline bool is_writable_device_private_entry(swp_entry_t e) { return swp_type(e) == SWP_DEVICE_WRITE; }
inline swp_entry_t make_readable_device_private_entry(unsigned long pfn) { return swp_entry(SWP_DEVICE_READ, pfn); }
inline swp_entry_t make_writable_device_private_entry(unsigned long pfn) { return swp_entry(SWP_DEVICE_WRITE, pfn); }

// pmd-level swap entries (CONFIG_ARCH_ENABLE_THP_MIGRATION, x86-64): only
// migration entries are ever put in a pmd. The encoding is the pte one;
// _PAGE_PSE stays clear, so pmd_present() is false and pmd_trans_huge() too.
inline pmd_t swp_entry_to_pmd(swp_entry_t e) { return __pmd(e.val); }
inline swp_entry_t pmd_to_swp_entry(pmd_t pmd) { return {pmd_val(pmd)}; }
// is_swap_pmd() — include/linux/huge_mm.h v6.6: neither none nor present.
inline bool is_swap_pmd(pmd_t pmd) { return !pmd_none(pmd) && !pmd_present(pmd); }
// is_pmd_migration_entry() — include/linux/swapops.h v6.6.
inline bool is_pmd_migration_entry(pmd_t pmd) { return is_swap_pmd(pmd) && is_migration_entry(pmd_to_swp_entry(pmd)); }
inline bool is_readable_exclusive_migration_entry(swp_entry_t e) {
    return swp_type(e) == SWP_MIGRATION_READ_EXCLUSIVE;
}

// is_pfn_swap_entry(): the entries whose offset is a pfn.
inline bool is_pfn_swap_entry(swp_entry_t e) { return is_migration_entry(e) || is_device_private_entry(e); }
inline unsigned long swp_offset_pfn(swp_entry_t e) { return swp_offset(e); }
// pfn_swap_entry_to_page(); the model's mem_map stands for the kernel's one.
inline page* pfn_swap_entry_to_page(mem_map& memory, swp_entry_t e) {
    return pfn_to_page(memory, swp_offset_pfn(e));
}

}  // namespace mm
MMCHECK_ENGINE_END
