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
vma_tree::slot* vma_tree::slot_of(const vm_area_struct* vma) {
    const unsigned used = plain_deref(used_);
    for (unsigned i = 0; i < used; ++i)
        if (plain_deref(slots_[i].vma) == vma) return &slots_[i];
    return nullptr;
}

// A free slot takes the range first, then the pointer that publishes it.
void vma_tree::store_slot(vm_area_struct* vma) {
    slot* free = slot_of(nullptr);
    const unsigned used = plain_deref(used_);
    if (!free) {
        VM_BUG_ON(used == capacity, "more VMAs than vma_tree::capacity (model/mm/vma_tree.h)");
        free = &slots_[used];
    }
    WRITE_ONCE(free->start, vma->vm_start);
    WRITE_ONCE(free->end, vma->vm_end);
    smp_store_release(free->vma, vma);  // rcu_assign_pointer()
    if (free == &slots_[used]) smp_store_release(used_, used + 1);
}

void vma_tree::clear_slot(vm_area_struct* vma) {
    slot* s = slot_of(vma);
    VM_BUG_ON(s == nullptr, "vma_tree: removing a VMA that is not in the tree");
    WRITE_ONCE(s->vma, static_cast<vm_area_struct*>(nullptr));  // RCU_INIT_POINTER(, NULL)
}

void vma_tree::vma_iter_store(vm_area_struct* vma) {
    const unsigned long start = vma->vm_start, end = vma->vm_end;
    if (slot* own = slot_of(vma)) {
        if (plain_deref(own->start) != start) WRITE_ONCE(own->start, start);
        if (plain_deref(own->end) != end) WRITE_ONCE(own->end, end);
    } else {
        store_slot(vma);
    }
    const unsigned used = plain_deref(used_);
    for (unsigned i = 0; i < used; ++i) {
        slot& other = slots_[i];
        vm_area_struct* other_vma = plain_deref(other.vma);
        if (other_vma == nullptr || other_vma == vma) continue;
        const unsigned long other_start = plain_deref(other.start), other_end = plain_deref(other.end);
        if (other_end <= start || end <= other_start) continue;
        if (start <= other_start && other_end <= end) {
            WRITE_ONCE(other.vma, static_cast<vm_area_struct*>(nullptr));
            list_.erase(std::find(list_.begin(), list_.end(), other_vma));
            continue;
        }
        VM_BUG_ON(other_start < start && end < other_end,
                  "vma_tree: a store inside another VMA's range (the model's slots hold one range each)");
        if (other_start < start)
            WRITE_ONCE(other.end, start);
        else
            WRITE_ONCE(other.start, end);
    }
}

void vma_tree::push_back(vm_area_struct* vma) {
    list_.push_back(vma);
    vma_iter_store(vma);
}

void vma_tree::insert(const_iterator at, vm_area_struct* vma) {
    list_.insert(at, vma);
    vma_iter_store(vma);
}

void vma_tree::erase(const_iterator first, const_iterator last) {
    for (auto it = first; it != last; ++it) clear_slot(*it);
    list_.erase(first, last);
}

void vma_tree::clear() { erase(list_.begin(), list_.end()); }

vm_area_struct* vma_tree::mas_walk(unsigned long addr) const {
    const unsigned used = smp_load_acquire(used_);
    for (unsigned i = 0; i < used; ++i) {
        const slot& s = slots_[i];
        vm_area_struct* vma = smp_load_acquire(s.vma);  // rcu_dereference()
        if (vma != nullptr && READ_ONCE(s.start) <= addr && addr < READ_ONCE(s.end)) return vma;
    }
    return nullptr;
}

}  // namespace mm
MMCHECK_ENGINE_END
