// mremap's move_normal_pmd() against retract_page_tables() (Jann Horn, Project
// Zero issue 371047675, 2024; fixed by 6fa1066fc5d0 in v6.12).
//
// Thread 0 mremap()s the file VMA at 0 to PMD_SIZE (copy_vma() has linked the
// destination already): under mmap_lock for write, move_page_tables() sees a
// pte table at the old pmd and chooses move_normal_pmd(), which takes the rmap
// locks only then. Thread 1 is khugepaged's v6.6 retract_page_tables(), which
// holds neither mmap_lock nor the rmap lock for write and may clear the old pmd
// in between. Thread 0 then reads the new address with GUP-fast. Variants:
// - v6.6: move_normal_pmd() moves the none pmd: pmd_populate() of pfn 0 as a
//   page table, then descend-through-non-table.
// - fixed-6fa1066fc5d0: "Racing with collapse?" re-check; pass.
// - v6.1-retract-mmap-trylock: retract_page_tables() before 1d65b771bc08,
//   which needed mmap_lock (trylock) and so could not race; pass.
#include "model/mm/gup.h"
#include "model/mm/mremap.h"
#include "scenarios/body.h"
#include "scenarios/cpp/paths_file_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;

model_variants mremap_variant(const variant_info& variant) {
    model_variants v;
    if (variant.name != "fixed-6fa1066fc5d0") v.move_pmd = mremap_normal_pmd::v6_6_no_recheck;
    if (variant.name == "v6.1-retract-mmap-trylock") v.retract = khugepaged_retract::fixed_2ba99c5e0881;
    return v;
}

struct mremap_instance : paths_world::file_instance {
    explicit mremap_instance(const variant_info& variant) : file_instance(mremap_variant(variant), true) {}

    void run_thread(int index) override {
        mm_struct* mm = world.mm.get();
        if (index == 0) {
            kernel::down_write(&mm->mmap_lock);
            move_page_tables(&world.source, 0, &world.destination, PMD_SIZE, PMD_SIZE, true);
            kernel::up_write(&mm->mmap_lock);
            // A lockless reader of the new range (v6.6 GUP-fast; the v5.4 fault
            // path of memory.cpp assumes mmap_lock keeps khugepaged away).
            page* pages[1] = {nullptr};
            kernel::VM_BUG_ON(get_user_pages_fast(mm, PMD_SIZE, 1, 0, pages) != 0,
                              "GUP-fast pinned a page in a range that maps none");
            return;
        }
        world.retract();
    }
};

const scenario_registration mremap_vs_retract{
    [] {
        scenario_info info;
        info.name = "paths-mremap-vs-retract-page-tables";
        info.summary = "mremap's move_normal_pmd() moves a pmd that retract_page_tables() cleared meanwhile";
        info.source = "mm/mremap.c v6.6; 6fa1066fc5d0 (v6.12); mm/khugepaged.c 1d65b771bc08 (v6.5)";
        info.threads = 2;
        info.variants = {
            {"v6.6", "move_normal_pmd() v6.6: no re-check under the locks", violation_kind::descend_through_non_table},
            {"fixed-6fa1066fc5d0", "\"Racing with collapse?\" re-check (v6.12)", std::nullopt},
            {"v6.1-retract-mmap-trylock", "move_normal_pmd() v6.6 against the mmap_lock-taking retract (v6.1)",
             std::nullopt},
        };
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> { return std::make_unique<mremap_instance>(v); }};

}  // namespace

MMCHECK_ENGINE_END
