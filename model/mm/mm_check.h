// End-of-execution checks of one mm's page tables against the allocator: every
// table page reachable exactly once, no table leaked, pgtables_bytes consistent.
// Called from a scenario's finish(), when no model thread runs any more.
#pragma once

#include <vector>

#include "model/mm/mm_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

void check_page_tables(mm_struct* mm);
// The same over mms sharing one mem_map (a parent and its fork() children):
// every table reachable exactly once from all of them together.
void check_page_tables(const std::vector<mm_struct*>& mms);
// No present or swap entry at an address no VMA covers (mm_check_vmas.cpp).
void check_no_mapping_outside_vmas(mm_struct* mm);

}  // namespace mm
MMCHECK_ENGINE_END
