// See vma_tree.h: mm->mm_mt as an ordered list for mmap_lock holders and
// RCU-walked slots for lock_vma_under_rcu().
#include "model/mm/vma_tree.h"

#include <algorithm>

#include "model/mm/mm_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

// The writer holds mmap_lock for write (or runs before the threads), so it
// reads the slots it owns without racing anyone who writes them.
void vma_tree::store_slot(vm_area_struct* vma) {
    const unsigned used = plain_deref(used_);
    for (unsigned i = 0; i < used; ++i) {
        if (plain_deref(slots_[i]) == nullptr) {
            smp_store_release(slots_[i], vma);  // rcu_assign_pointer()
            return;
        }
    }
    VM_BUG_ON(used == capacity, "more VMAs than vma_tree::capacity (model/mm/vma_tree.h)");
    smp_store_release(slots_[used], vma);  // rcu_assign_pointer()
    smp_store_release(used_, used + 1);
}

void vma_tree::clear_slot(vm_area_struct* vma) {
    const unsigned used = plain_deref(used_);
    for (unsigned i = 0; i < used; ++i) {
        if (plain_deref(slots_[i]) == vma) {
            WRITE_ONCE(slots_[i], static_cast<vm_area_struct*>(nullptr));  // RCU_INIT_POINTER(, NULL)
            return;
        }
    }
    VM_BUG_ON(true, "vma_tree: removing a VMA that is not in the tree");
}

void vma_tree::push_back(vm_area_struct* vma) {
    list_.push_back(vma);
    store_slot(vma);
}

void vma_tree::insert(const_iterator at, vm_area_struct* vma) {
    list_.insert(at, vma);
    store_slot(vma);
}

void vma_tree::erase(const_iterator first, const_iterator last) {
    for (auto it = first; it != last; ++it) clear_slot(*it);
    list_.erase(first, last);
}

void vma_tree::clear() { erase(list_.begin(), list_.end()); }

vm_area_struct* vma_tree::mas_walk(unsigned long addr) const {
    const unsigned used = smp_load_acquire(used_);
    for (unsigned i = 0; i < used; ++i) {
        vm_area_struct* vma = smp_load_acquire(slots_[i]);  // rcu_dereference()
        if (vma != nullptr && vma->vm_start <= addr && addr < vma->vm_end) return vma;
    }
    return nullptr;
}

}  // namespace mm
MMCHECK_ENGINE_END
