// MADV_DONTNEED over anonymous memory, huge pmds included (mm/madvise.c and the
// zap_*_range() walk of mm/memory.c, v6.6).
#pragma once

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// madvise_dontneed_single_vma() — mm/madvise.c v6.6. Caller holds mmap_lock for read.
long madvise_dontneed_single_vma(vm_area_struct* vma, unsigned long start, unsigned long end);

}  // namespace mm
MMCHECK_ENGINE_END
