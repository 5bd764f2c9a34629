// Building an mm for a scenario's initial state (mm_alloc()/pgd_alloc(), kernel/fork.c),
// and vm_area_dup() (kernel/fork.c v6.6).
#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

mm_struct::mm_struct(mem_map& mem, const model_variants& v) : memory(mem), variants(v) {
    pgd = alloc_pages(memory, page_use::pgd_table);
    kernel::VM_BUG_ON(pgd == nullptr, "no memory for the pgd");
}

// vm_area_dup() — kernel/fork.c v6.6: the kernel memcpy()s the VMA and then
// gives the copy its own lock (vma_lock_alloc(), vm_lock_seq -1); the model
// copies the plain fields, so the seam objects start fresh. Left out: the
// anon_vma chain, mempolicy and anon_vma_name (not modeled).
vm_area_struct* vm_area_dup(vm_area_struct* orig) {
    mm_struct* mm = orig->vm_mm;
    auto copy = std::make_unique<vm_area_struct>();
    copy->vm_start = orig->vm_start;
    copy->vm_end = orig->vm_end;
    copy->vm_mm = mm;
    copy->vm_flags = orig->vm_flags;
    copy->vm_pgoff = orig->vm_pgoff;
    copy->vm_ops = orig->vm_ops;
    copy->vm_private_data = orig->vm_private_data;
    copy->anonymous = orig->anonymous;
    copy->vm_mapping = orig->vm_mapping;
    copy->anon_vma = orig->anon_vma;  // and anon_vma_clone() of the caller, for the chain
    copy->anon_vma_chain_inherited = orig->anon_vma_chain_inherited;
    mm->vm_area_cachep.push_back(std::move(copy));
    return mm->vm_area_cachep.back().get();
}

}  // namespace mm
MMCHECK_ENGINE_END
