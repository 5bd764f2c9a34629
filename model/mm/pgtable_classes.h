// How the kernel's lockless page-table readers tell pud and pmd values apart,
// for the no-lying-intermediate-value check (model/kernel/intermediate.h).
#pragma once

#include "model/kernel/intermediate.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// The classes and printing of pmd and pud values (pgtable_classes.cpp).
const kernel::entry_classes& pmd_reader_classes();
const kernel::entry_classes& pud_reader_classes();

}  // namespace mm
MMCHECK_ENGINE_END
