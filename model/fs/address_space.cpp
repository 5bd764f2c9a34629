// See address_space.h: include/linux/fs.h and mm/interval_tree.c, v5.4.
#include "model/fs/address_space.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

address_space::address_space()
    : i_mmap{{plain<vm_area_struct*>(nullptr, {"mapping->i_mmap", 0}), plain<vm_area_struct*>(nullptr, {"mapping->i_mmap", 1}),
              plain<vm_area_struct*>(nullptr, {"mapping->i_mmap", 2}), plain<vm_area_struct*>(nullptr, {"mapping->i_mmap", 3})}} {
    static_assert(I_MMAP_SLOTS == 4, "update the slot initialisers");
}

void i_mmap_lock_read(address_space* mapping) { down_read(&mapping->i_mmap_rwsem); }
void i_mmap_unlock_read(address_space* mapping) { up_read(&mapping->i_mmap_rwsem); }
void i_mmap_lock_write(address_space* mapping) { down_write(&mapping->i_mmap_rwsem); }
void i_mmap_unlock_write(address_space* mapping) { up_write(&mapping->i_mmap_rwsem); }

void vma_interval_tree_insert(vm_area_struct* vma, address_space* mapping) {
    for (auto& slot : mapping->i_mmap) {
        if (slot.read() != nullptr) continue;
        slot.write(vma);
        vma->vm_mapping = mapping;
        return;
    }
    VM_BUG_ON(true, "address_space: more VMAs than the model's i_mmap slots");
}

void vma_interval_tree_remove(vm_area_struct* vma, address_space* mapping) {
    for (auto& slot : mapping->i_mmap)
        if (slot.read() == vma) slot.write(nullptr);
}

vm_area_struct* vma_interval_tree_next(address_space* mapping, unsigned* slot, pgoff_t first, pgoff_t last) {
    for (; *slot < I_MMAP_SLOTS; ++*slot) {
        vm_area_struct* vma = mapping->i_mmap[*slot].read();
        if (vma == nullptr) continue;
        const pgoff_t vma_first = vma->vm_pgoff;
        const pgoff_t vma_last = vma_first + vma_pages(vma) - 1;
        if (vma_first <= last && first <= vma_last) {
            ++*slot;
            return vma;
        }
    }
    return nullptr;
}

}  // namespace mm
MMCHECK_ENGINE_END
