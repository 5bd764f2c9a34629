// The migration-entry side of mm/migrate.c (v6.6): the fault that meets a
// migration entry waits, and the migrator puts a present pte back.
//
// Simplification, stated once here: the rmap walk (rmap_walk() over the
// anon_vma, page_vma_mapped_walk() with PVMW_MIGRATION) is reduced to the one
// (vma, address) at which the migrator installed the entry, which in a model
// without fork is every place the folio was mapped. Callers pass it.
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// enum ttu_flags — include/linux/rmap.h v6.6, the flags migration takes.
using ttu_flags = unsigned;
inline constexpr ttu_flags TTU_SPLIT_HUGE_PMD = 0x4;  // split a huge pmd (with freeze) first
inline constexpr ttu_flags TTU_SYNC = 0x10;           // look under the ptl (PVMW_SYNC)
inline constexpr ttu_flags TTU_RMAP_LOCKED = 0x80;    // the caller holds the rmap lock

// try_to_migrate() — mm/rmap.c v6.6 (rmap_migrate.cpp): every pte mapping of
// the anonymous folio at (vma, address..) becomes a migration entry; with
// TTU_SPLIT_HUGE_PMD a pmd mapping is split into pte migration entries first.
void try_to_migrate(page* folio, ttu_flags flags, vm_area_struct* vma, unsigned long address);

// remove_migration_ptes() — mm/migrate.c v6.6: if the pte at (vma, addr) is a
// migration entry for src, map dst there (dst == src restores the old page),
// with the entry's write permission, taking a reference and a mapping on dst.
// For a large src, a pmd migration entry at addr is mapped back by the pmd
// (remove_migration_pmd()), and every subpage's pte entry (a pmd entry split
// meanwhile) by its pte.
void remove_migration_ptes(page* src, page* dst, vm_area_struct* vma, unsigned long addr);

// migration_entry_wait() — mm/migrate.c v6.6: under the ptl, re-read the pte;
// if it is still a migration entry, wait for the migrator to unlock the page
// (migration_entry_wait_on_locked()). The fault then returns and is retried.
void migration_entry_wait(mm_struct* mm, pmdp_t pmd, unsigned long address);
// pmd_migration_entry_wait() — mm/migrate.c v6.6: the same for a pmd entry.
void pmd_migration_entry_wait(mm_struct* mm, pmdp_t pmd);

// migrate_pages() — mm/migrate.c v6.6 for one isolated anonymous folio,
// MIGRATE_SYNC, onto a new folio of the same order (a THP migrates whole,
// through a pmd migration entry), one pass (migrate_pages.cpp). The
// caller passes the folio's isolation reference: dropped on success (the
// folio is freed), kept on failure for the caller's putback_movable_pages().
// Returns 0 when the folio migrated, 1 when it did not, -ENOMEM (-12) when
// no destination could be allocated.
int migrate_pages(page* folio, vm_area_struct* vma, unsigned long address);

}  // namespace mm
MMCHECK_ENGINE_END
