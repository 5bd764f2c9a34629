// mm->mm_mt, the maple tree of an mm's VMAs (lib/maple_tree.c, include/linux/mm_types.h
// v6.6), reduced to what the modeled paths need from it.
//
// Simplification, stated once here: the tree is two things. An address-ordered
// list, read and changed only under mmap_lock (find_vma(), munmap, mremap: the
// mmap_lock orders them, as the tree's external lock does), and a few slots of
// marked pointers that lock_vma_under_rcu() walks under rcu_read_lock() alone.
// Every change of the list under mmap_lock for write is one store to the slot of
// the VMA it adds or removes (rcu_assign_pointer()), so the engines see the race
// between a lockless walk and munmap. The slots are unordered: a VMA takes the
// first free one and mas_walk() looks at every slot in use. A walk in the middle
// of several changes may see some and not others; the kernel's walk sees one
// version of the tree, but each VMA it returns is found, locked and re-checked
// the same way, so nothing the model checks depends on the difference.
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

    // Changes: mmap_lock held for write, or before the threads start.
    void push_back(vm_area_struct* vma);
    void insert(const_iterator at, vm_area_struct* vma);
    void erase(const_iterator first, const_iterator last);
    void clear();

    // mas_walk() of MA_STATE(mas, &mm->mm_mt, addr, addr) under rcu_read_lock():
    // the VMA some slot holds whose range contains `addr`, or nullptr. The caller
    // must lock and re-check it (lock_vma_under_rcu()). Known defect: the range is
    // read from the VMA's plain vm_start/vm_end, which __split_vma() changes on a
    // linked VMA (mprotect() of part of it); the engines do not see that access,
    // but under ThreadSanitizer vma-mprotect-vs-write-fault reports it as a race.
    // The kernel's walk reads the range from the tree: the slots should hold it.
    vm_area_struct* mas_walk(unsigned long addr) const;

private:
    void store_slot(vm_area_struct* vma);
    void clear_slot(vm_area_struct* vma);

    list_type list_;
    // One past the highest slot ever used: a walk reads it first and looks no
    // further, so an mm with one VMA costs a walk two reads, not `capacity`.
    kernel::marked<unsigned> used_{0, {"mm->mm_mt.used"}};
    using slot = kernel::marked<vm_area_struct*>;
    std::array<slot, capacity> slots_{slot{nullptr, {"mm->mm_mt", -1, 0}}, slot{nullptr, {"mm->mm_mt", -1, 1}},
                                      slot{nullptr, {"mm->mm_mt", -1, 2}}, slot{nullptr, {"mm->mm_mt", -1, 3}},
                                      slot{nullptr, {"mm->mm_mt", -1, 4}}, slot{nullptr, {"mm->mm_mt", -1, 5}},
                                      slot{nullptr, {"mm->mm_mt", -1, 6}}, slot{nullptr, {"mm->mm_mt", -1, 7}}};
};

}  // namespace mm
MMCHECK_ENGINE_END
