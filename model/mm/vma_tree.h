// mm->mm_mt, the maple tree of an mm's VMAs (lib/maple_tree.c, include/linux/mm_types.h
// v6.6), reduced to what the modeled paths need from it.
//
// Simplification, stated once here: the tree is two things. An address-ordered
// list, read and changed only under mmap_lock (find_vma(), munmap, mremap: the
// mmap_lock orders them, as the tree's external lock does), and a few slots that
// lock_vma_under_rcu() walks under rcu_read_lock() alone. A slot holds what a
// maple-tree leaf holds for one VMA: its range (the pivots) and a marked pointer
// to it. Every change of the list under mmap_lock for write goes through the
// slots (rcu_assign_pointer() of the pointer, WRITE_ONCE() of a range), so the
// engines see the race between a lockless walk and munmap, __split_vma() or
// vma_merge(). The slots are unordered: a VMA takes the first free one and
// mas_walk() looks at every slot in use. The kernel replaces the changed nodes
// with one pointer store; the model writes the changed words one by one, so a
// walk in the middle of a change may see the old range of one VMA and the new
// range of another (an overlap, never a gap: a store publishes the new range
// before it cuts the old ones). Each VMA the walk returns is locked and its
// range re-checked under its lock (lock_vma_under_rcu()), and the writer holds
// the write lock of every VMA it changes, so nothing the model checks depends on
// the difference.
#pragma once

#include <array>
#include <vector>

#include "model/kernel/primitives.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

struct vm_area_struct;

class vma_tree {
public:
    using list_type = std::vector<vm_area_struct*>;
    using const_iterator = list_type::const_iterator;
    static constexpr unsigned capacity = 8;

    // The ordered list, for mmap_lock holders (and setup before the threads run).
    const_iterator begin() const { return list_.begin(); }
    const_iterator end() const { return list_.end(); }
    std::size_t size() const { return list_.size(); }
    bool empty() const { return list_.empty(); }
    vm_area_struct* operator[](std::size_t i) const { return list_[i]; }
    vm_area_struct* back() const { return list_.back(); }
    operator const list_type&() const { return list_; }

    // Changes: mmap_lock held for write, or before the threads start. push_back()
    // and insert() add a VMA to the list and store it in the tree.
    void push_back(vm_area_struct* vma);
    void insert(const_iterator at, vm_area_struct* vma);
    void erase(const_iterator first, const_iterator last);
    void clear();

    // vma_iter_store(): [vma->vm_start, vma->vm_end) now maps to vma. As the
    // maple-tree store overwrites the range, another VMA's slot that the range
    // covers in part is cut back, and one it covers whole leaves the tree and the
    // list (vma_merge() removing prev/curr/next).
    void vma_iter_store(vm_area_struct* vma);

    // mas_walk() of MA_STATE(mas, &mm->mm_mt, addr, addr) under rcu_read_lock():
    // the VMA some slot holds whose range contains `addr`, or nullptr. The caller
    // must lock and re-check it (lock_vma_under_rcu()). The range is read from the
    // slot, as the kernel's walk reads the pivots, never from the VMA, whose
    // vm_start/vm_end __split_vma() and vma_merge() change under the VMA's lock.
    vm_area_struct* mas_walk(unsigned long addr) const;

private:
    struct slot {
        kernel::marked<vm_area_struct*> vma;
        kernel::marked<unsigned long> start, end;  // [start, end) maps to vma
        explicit slot(int i)
            : vma{nullptr, {"mm->mm_mt", -1, i}},
              start{0, {"mm->mm_mt.start", -1, i}},
              end{0, {"mm->mm_mt.end", -1, i}} {}
    };

    slot* slot_of(const vm_area_struct* vma);
    void store_slot(vm_area_struct* vma);
    void clear_slot(vm_area_struct* vma);

    list_type list_;
    // One past the highest slot ever used: a walk reads it first and looks no
    // further, so an mm with one VMA costs a walk two reads, not `capacity`.
    kernel::marked<unsigned> used_{0, {"mm->mm_mt.used"}};
    std::array<slot, capacity> slots_{slot{0}, slot{1}, slot{2}, slot{3}, slot{4}, slot{5}, slot{6}, slot{7}};
};

}  // namespace mm
MMCHECK_ENGINE_END
