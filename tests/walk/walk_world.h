// A single-threaded model world for the walker and teardown tests: one mm on
// its own execution of the native seam, file VMAs backed by the devmem driver,
// populated through the model's own fault path.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "model/arch/x86/fault.h"
#include "model/drivers/devmem.h"
#include "model/fs/address_space.h"
#include "model/mm/memory.h"
#include "model/mm/mm_check.h"
#include "model/mm/pagewalk.h"
#include "tests/common/model_world.h"

namespace walk_test {

using namespace model_test;

inline model_variants with_walk_pud(pagewalk_pud form) {
    model_variants v;
    v.walk_pud = form;
    return v;
}

struct world : model_world {
    explicit world(pagewalk_pud form = pagewalk_pud::fixed_3b89863c3fa4) : model_world(160, with_walk_pud(form)) {
        // Device memory for every virtual page of the model address space.
        device.base_pfn = reserve_device_range(memory, 4 * HPAGE_PUD_NR, HPAGE_PUD_NR);
        device.pmd_huge = true;
        device.may_fall_back = false;
        device_small = device;
        device_small.pud_huge = false;
        device_small.pmd_huge = false;
    }
    // A shared device VMA; `huge` lets faults map it at pud/pmd size.
    vm_area_struct* add_vma(unsigned long start, unsigned long end, bool huge, bool pud_huge = true) {
        auto vma = std::make_unique<vm_area_struct>();
        vma->vm_start = start;
        vma->vm_end = end;
        vma->vm_mm = mm.get();
        vma->vm_pgoff = start >> PAGE_SHIFT;
        vma->vm_flags = VM_READ | VM_WRITE | VM_SHARED | VM_PFNMAP | (huge ? VM_HUGEPAGE : 0);
        vma->vm_ops = &devmem_vm_ops;
        devmem_device* dev = !huge ? &device_small : pud_huge ? &device : &device_pmd;
        if (huge && !pud_huge) {
            device_pmd = device;
            device_pmd.pud_huge = false;
        }
        vma->vm_private_data = dev;
        mm->vmas.push_back(vma.get());
        vmas.push_back(std::move(vma));
        return mm->vmas.back();
    }

    void fault(unsigned long address, unsigned flags = 0) {
        EXPECT_EQ(do_user_addr_fault(mm.get(), address, flags) & (VM_FAULT_OOM | VM_FAULT_SIGBUS), 0u) << address;
    }

    devmem_device device, device_pmd, device_small;
    std::vector<std::unique_ptr<vm_area_struct>> vmas;
};

}  // namespace walk_test
