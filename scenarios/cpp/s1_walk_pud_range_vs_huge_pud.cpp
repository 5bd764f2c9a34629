// S1: walk_pud_range() vs a huge pud faulted in under it.
//
// From the 2019 review of walk_page_mapping() (T. Hellstrom; seed thread 001).
// One process maps a device at pud size; a walker (walk_page_vma() under
// mmap_lock for read) races a fault on the same pud, which also runs under
// mmap_lock for read. Two forms of the race:
// (a) s1-walk-pud-range-vs-huge-pud-refault: MADV_DONTNEED zaps the huge pud
//     and the fault refills it between the walker's checks; the 2019 walker's
//     pud_trans_huge_lock() sees none, its split_huge_pud() then unmaps the
//     refaulted leaf, which pud_entry never saw (walker-incomplete), or, when
//     the refault lands after the split and its pud_none() re-check,
//     walk_pmd_range() descends into the leaf (descend-through-non-table).
//     Both are bugs of the 2019 code in the same race; the variant accepts
//     either, since which one a search reaches first is its search order.
// (b) s1-walk-pmd-range-split-vs-refault: a pmd_entry walker splits the huge
//     pud itself, the fault refaults it, and walk_pmd_range() runs pmd_offset()
//     on the leaf (descend-through-non-table) — in 2019 and still in v6.6.
// Fixed by 3b89863c3fa4: walk_pmd_range() takes one pudp_get() snapshot and
// asks for ACTION_AGAIN unless it names a pmd table.
// The walker's callbacks log what they see; finish() checks walker
// completeness (a leaf the walker did not mean to handle is never destroyed by
// it, and reaches pud_entry at most once) and the table census.
#include "model/arch/x86/fault.h"
#include "model/drivers/devmem.h"
#include "model/mm/huge_memory.h"
#include "model/mm/memory.h"
#include "model/mm/mm_check.h"
#include "model/mm/pagewalk.h"
#include "scenarios/body.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;

// What the checking walker saw; written by the walker thread only.
struct walk_log {
    int leaf_visits = 0;  // huge puds handed to pud_entry
    int holes = 0;
};

// pud_entry: a huge pud is handled here and never split (ACTION_CONTINUE).
// Under the 2019 form the walker calls it with pud_trans_huge_lock() held; in
// v6.6 it takes that lock itself and retries an entry that changed.
int log_pud_entry(pudp_t pud, unsigned long, unsigned long, mm_walk* walk) {
    auto* log = static_cast<walk_log*>(walk->private_data);
    if (walk->mm->variants.walk_pud == pagewalk_pud::v2019_pud_trans_huge_lock) {
        ++log->leaf_visits;
        return 0;
    }
    kernel::spinlock_t* ptl = pud_trans_huge_lock(pud, walk->vma);
    if (ptl) {
        ++log->leaf_visits;
        walk->action = ACTION_CONTINUE;
        kernel::spin_unlock(ptl);
        return 0;
    }
    const pud_t val = pudp_get(pud);
    walk->action = pud_none(val) || pud_leaf(val) ? ACTION_AGAIN : ACTION_SUBTREE;
    return 0;
}
int log_pmd_entry(pmdp_t, unsigned long, unsigned long, mm_walk*) { return 0; }
int log_pte_entry(ptep_t, unsigned long, unsigned long, mm_walk*) { return 0; }
int log_pte_hole(unsigned long, unsigned long, int, mm_walk* walk) {
    ++static_cast<walk_log*>(walk->private_data)->holes;
    return 0;
}
int walk_pfnmap_too(unsigned long, unsigned long, mm_walk*) { return 0; }  // test_walk: do walk VM_PFNMAP

const mm_walk_ops pud_walker{&log_pud_entry, &log_pmd_entry, &log_pte_entry, &log_pte_hole, &walk_pfnmap_too};
const mm_walk_ops pmd_walker{nullptr, &log_pmd_entry, &log_pte_entry, &log_pte_hole, &walk_pfnmap_too};

// One process, one pud table, a device mapped by one huge pud (as a read fault
// leaves it); the driver always maps at pud size.
struct s1_world : scenario_instance {
    s1_world(pagewalk_pud form, bool zap_first) : memory(40), zap_first(zap_first) {
        variants.walk_pud = form;
        mm = std::make_unique<mm_struct>(memory, variants);
        page* pud_table = alloc_pages(memory, page_use::pud_table);
        for (auto& slot : pud_table->slots) slot.store({0}, kernel::mo::relaxed, "clear_page", std::source_location::current());
        pgd_populate(mm.get(), pgd_offset(mm.get(), 0), pud_table);
        pud = pudp_t{pud_table, 0, pud_table->generation};
        device.base_pfn = reserve_device_range(memory, HPAGE_PUD_NR, HPAGE_PUD_NR);
        device.may_fall_back = false;
        vma.vm_start = 0;
        vma.vm_end = PUD_SIZE;
        vma.vm_mm = mm.get();
        vma.vm_flags = VM_READ | VM_WRITE | VM_SHARED | VM_PFNMAP | VM_HUGEPAGE;
        vma.vm_ops = &devmem_vm_ops;
        vma.vm_private_data = &device;
        mm->vmas.push_back(&vma);
        set_pud_at(mm.get(), 0, pud, pud_mkyoung(pud_mkdevmap(pud_mkhuge(pfn_pud(device.base_pfn, PAGE_SHARED)))));
    }

    void run_thread(int index) override {
        kernel::rw_semaphore* mmap_lock = &mm->mmap_lock;
        if (index == 0) {
            kernel::down_read(mmap_lock);
            walk_page_vma(&vma, zap_first ? &pud_walker : &pmd_walker, &log);
            kernel::up_read(mmap_lock);
            return;
        }
        if (zap_first) {  // madvise(MADV_DONTNEED) of the whole pud
            kernel::down_read(mmap_lock);
            zap_page_range(&vma, 0, PUD_SIZE);
            kernel::up_read(mmap_lock);
        }
        do_user_addr_fault(mm.get(), fault_address, 0);
        kernel::spinlock_t* ptl = pud_lock(mm.get(), pud);
        refaulted = pud_leaf(deref(pud));
        kernel::spin_unlock(ptl);
    }

    void finish() override {
        if (log.leaf_visits > 1)
            kernel::report_violation(violation_kind::walker_incomplete, "one huge pud reached pud_entry twice");
        // Only the walker could have unmapped the leaf the fault installed last,
        // and its pud_entry handles huge puds: it never meant to split one.
        if (zap_first && refaulted && pud_none(deref(pud)))
            kernel::report_violation(violation_kind::walker_incomplete,
                                     "the walker destroyed a huge pud it did not mean to handle: split_huge_pud() "
                                     "unmapped the refaulted leaf, which pud_entry never saw");
        check_page_tables(mm.get());
    }

    static constexpr unsigned long fault_address = 5 * PAGE_SIZE;
    model_variants variants;
    mem_map memory;
    bool zap_first;
    std::unique_ptr<mm_struct> mm;
    pudp_t pud;
    devmem_device device;
    vm_area_struct vma;
    walk_log log;
    bool refaulted = false;  // written by thread 1 only, read by finish()
};

pagewalk_pud form_for(const variant_info& variant) {
    if (variant.name == "v2019-pud-trans-huge-lock") return pagewalk_pud::v2019_pud_trans_huge_lock;
    if (variant.name == "v6.6-action-again") return pagewalk_pud::v6_6_action_again;
    return pagewalk_pud::fixed_3b89863c3fa4;
}

constexpr const char* source = "review of walk_page_mapping() (T. Hellstrom, 2019, seed thread 001); fix 3b89863c3fa4";

const scenario_registration refault{
    [] {
        scenario_info info;
        info.name = "s1-walk-pud-range-vs-huge-pud-refault";
        info.summary = "walk_pud_range() with pud_entry while MADV_DONTNEED zaps the huge pud and a fault refills it";
        info.source = source;
        // Context bound 2 (exhausts the fixed variants in ~0.02 s). Relacy at
        // bound 2 reaches walker-incomplete first; at bound 3 it, and mc's DPOR,
        // reach descend-through-non-table first.
        info.bounds.preemptions = 2;
        info.variants = {
            {"v2019-pud-trans-huge-lock", "2019: pud_entry only under pud_trans_huge_lock(), else split_huge_pud()",
             {violation_kind::walker_incomplete, violation_kind::descend_through_non_table}},
            {"v6.6-action-again", "v6.6: unlocked pud_entry decides with ACTION_CONTINUE/AGAIN", std::nullopt},
            {"fixed-3b89863c3fa4", "v6.6 + one pud snapshot in walk_pmd_range(), ACTION_AGAIN", std::nullopt},
        };
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> {
        return std::make_unique<s1_world>(form_for(v), true);
    }};

const scenario_registration split_refault{
    [] {
        scenario_info info;
        info.name = "s1-walk-pmd-range-split-vs-refault";
        info.summary = "a pmd_entry walker splits a huge pud, a fault refaults it, walk_pmd_range() descends the leaf";
        info.source = source;
        info.bounds.preemptions = 3;  // exhausts the fixed variant in ~0.1 s; the full search does not finish
        info.variants = {
            {"v2019-pud-trans-huge-lock", "2019: split_huge_pud(), pud_none() re-check, pmd_offset() re-reads *pud",
             violation_kind::descend_through_non_table},
            {"v6.6-action-again", "v6.6: the same re-check and re-read", violation_kind::descend_through_non_table},
            {"fixed-3b89863c3fa4", "3b89863c3fa4: one pudp_get() snapshot, ACTION_AGAIN unless a table",
             std::nullopt},
        };
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> {
        return std::make_unique<s1_world>(form_for(v), false);
    }};

}  // namespace

MMCHECK_ENGINE_END
