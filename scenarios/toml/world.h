// The state a scenario file describes, built by the interpreter before the threads
// start (scenarios/cpp/toml_world.cpp): one mm with its page tables, VMAs and
// devices, in the order the C++ scenarios build theirs, so that pfns come out the
// same. Compiled once per engine.
#pragma once

#include <memory>
#include <vector>

#include "model/drivers/devmem.h"
#include "model/mm/mm_types.h"

MMCHECK_ENGINE_BEGIN

namespace toml_scenario {

enum class table_level { pud, pmd, pte };
enum class vma_kind { anon, device };

// The initial state with every number evaluated and every name resolved.
struct world_plan {
    struct tables {
        unsigned long address = 0;
        table_level level = table_level::pud;
    };
    struct device {
        unsigned long pages = 0;
        unsigned long align = 0;
        bool pud_huge = false;
        bool pmd_huge = false;
        bool may_fall_back = true;
    };
    struct prefault {
        unsigned long address = 0;
        bool write = false;
    };
    struct vma {
        unsigned long start = 0;
        unsigned long end = 0;
        unsigned long flags = 0;
        vma_kind kind = vma_kind::anon;
        std::vector<device> devices;  // at most one
        std::vector<prefault> prefaults;
    };
    unsigned long memory_pages = 32;
    std::vector<tables> table_paths;
    std::vector<vma> vmas;
};

struct world {
    world(const world_plan& plan, const mm::model_variants& selected);
    mm::model_variants variants;
    mm::mem_map memory;
    std::unique_ptr<mm::mm_struct> mm;
    std::vector<std::unique_ptr<mm::devmem_device>> devices;
    std::vector<std::unique_ptr<mm::vm_area_struct>> vmas;
};

}  // namespace toml_scenario

MMCHECK_ENGINE_END
