// The MMU's dirty bit against a THP split (model/arch/x86/hw_access.cpp and
// __split_huge_pmd_locked(), mm/huge_memory.c v6.6).
//
// Thread 0 is a user store to A through a writable, clean huge pmd: the MMU
// sets D with a cmpxchg (or faults, if the split has made the pmd not present,
// and stores again after the fault). Thread 1 splits the pmd under mmap_lock
// for read. If the store completed, the entry mapping A at the end must be
// dirty: __split_huge_pmd_locked() takes the dirty bit from the value
// pmdp_invalidate() atomically replaced, so a D set just before is kept.
// Variants (variants.h split_huge_pmd_dirty):
// - v4.15-dirty-before-invalidate: the split read pmd_dirty(*pmd) before
//   pmdp_invalidate(); the MMU's D set in between is lost; must fail
//   (lost-dirty-bit). Fixed in v4.16 by "mm: use updated pmdp_invalidate()
//   interface to track dirty/accessed bits" (Kirill Shutemov's series "Do not
//   lose dirty bit on THP pages");
// - v6.6: must pass.
#include <string>

#include "model/arch/x86/fault.h"
#include "model/arch/x86/hw_access.h"
#include "model/mm/huge_memory.h"
#include "model/mm/mm_check.h"
#include "scenarios/body.h"
#include "scenarios/cpp/s4_anon_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;

constexpr unsigned long accessed_addr = PAGE_SIZE;

model_variants split_variant(const variant_info& variant) {
    model_variants v;
    if (variant.name == "v4.15-dirty-before-invalidate")
        v.split_dirty = split_huge_pmd_dirty::v4_15_dirty_before_invalidate;
    return v;
}

struct hw_split_instance : scenario_instance {
    explicit hw_split_instance(const variant_info& v) : world(split_variant(v), s4_world::initial_pmd::thp) {
        // Writable but clean: the first store is the MMU's to record.
        set_pmd_at(world.mm.get(), 0, world.pmd, pmd_mkwrite(pmd_mkhuge(pfn_pmd(world.thp->pfn, PAGE_READONLY))));
    }

    void run_thread(int index) override {
        mm_struct* mm = world.mm.get();
        if (index == 0) {
            if (hw_access(mm, accessed_addr, true) == hw_access_result::done) {
                stored = true;
                return;
            }
            do_user_addr_fault(mm, accessed_addr, FAULT_FLAG_WRITE);
            stored = hw_access(mm, accessed_addr, true) == hw_access_result::done;
            return;
        }
        kernel::down_read(&mm->mmap_lock);
        split_huge_pmd(&world.vma, world.pmd, 0);
        kernel::up_read(&mm->mmap_lock);
    }

    void finish() override {
        check_page_tables(world.mm.get());
        check_anon_accounting(world.mm.get());
        if (!stored) return;
        const pmd_t pmd = deref(world.pmd);
        const bool dirty = pmd_leaf(pmd) ? pmd_dirty(pmd) : pte_dirty(deref(pte_offset_map(world.pmd, accessed_addr)));
        if (!dirty)
            kernel::report_violation(kernel::violation_kind::lost_dirty,
                                     "the store to A completed, but the entry mapping A is clean");
    }

    s4_world::anon_world world;
    bool stored = false;
};

const scenario_registration hw_vs_split{
    [] {
        scenario_info info;
        info.name = "paths-hw-dirty-vs-split-huge-pmd";
        info.summary = "the MMU sets the dirty bit of a huge pmd while split_huge_pmd() replaces it";
        info.source = "mm/huge_memory.c v6.6 (pmdp_invalidate() returns the old pmd since v4.16)";
        info.threads = 2;
        info.variants = {{"v4.15-dirty-before-invalidate",
                          "__split_huge_pmd_locked() v4.15: pmd_dirty(*pmd) read before pmdp_invalidate()",
                          kernel::violation_kind::lost_dirty},
                         {"v6.6", "__split_huge_pmd_locked() v6.6: dirty from pmdp_invalidate()'s old value",
                          std::nullopt}};
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> { return std::make_unique<hw_split_instance>(v); }};

}  // namespace

MMCHECK_ENGINE_END
