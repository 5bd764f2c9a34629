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

// remove_migration_ptes() — mm/migrate.c v6.6: if the pte at (vma, addr) is a
// migration entry for src, map dst there (dst == src restores the old page),
// with the entry's write permission, taking a reference and a mapping on dst.
void remove_migration_ptes(page* src, page* dst, vm_area_struct* vma, unsigned long addr);

// migration_entry_wait() — mm/migrate.c v6.6: under the ptl, re-read the pte;
// if it is still a migration entry, wait for the migrator to unlock the page
// (migration_entry_wait_on_locked()). The fault then returns and is retried.
void migration_entry_wait(mm_struct* mm, pmdp_t pmd, unsigned long address);

}  // namespace mm
MMCHECK_ENGINE_END
