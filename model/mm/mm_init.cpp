// Building an mm for a scenario's initial state (mm_alloc()/pgd_alloc(), kernel/fork.c).
#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

mm_struct::mm_struct(mem_map& mem, const model_variants& v) : memory(mem), variants(v) {
    pgd = alloc_pages(memory, page_use::pgd_table);
    kernel::VM_BUG_ON(pgd == nullptr, "no memory for the pgd");
}

}  // namespace mm
MMCHECK_ENGINE_END
