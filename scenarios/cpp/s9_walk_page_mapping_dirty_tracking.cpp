// S9: walk_page_mapping() under i_mmap_rwsem only, as dirty tracking uses it.
//
// From the 2019 review of walk_page_mapping() and as_dirty_helpers.c
// (T. Hellstrom; seed thread 001). A device buffer is mapped shared by two
// processes: mm A maps pgoff 0 with a pte whose write completed before
// anything here ran; mm B maps the same pgoffs with one huge pmd, writable and
// clean as a read fault leaves it. Thread 0 is the driver starting dirty
// tracking: wp_shared_mapping_range(), then clean_record_shared_mapping_range()
// to collect, each under i_mmap_rwsem for read and no mmap_lock. Thread 1, in
// mm B, splits the huge pmd and writes pgoff 1,
// which refaults it huge and dirty, and publishes that the write completed.
//
// Invariant: a write that completed before the collecting walk began is
// reported dirty by it. Variants (variants.h dirty_tracker_huge):
// - v2019-blocking-huge-fault: the huge entry is write-protected from a
//   lockless snapshot, on the posted argument that huge_fault() blocks during
//   the walk; the split and the refault change the entry anyway, and writing
//   the stale snapshot back drops the refault's dirty bit. Must fail.
// - ptl: pmd_trans_huge_lock() around the read and the update. Must pass.
#include "model/arch/x86/fault.h"
#include "model/drivers/devmem.h"
#include "model/fs/address_space.h"
#include "model/mm/huge_memory.h"
#include "model/mm/memory.h"
#include "scenarios/body.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;

constexpr unsigned long write_pgoff = 1;

// One mm with its pud and pmd tables, mapping the device's first pmd at 0.
struct process {
    process(mem_map& memory, const model_variants& variants, address_space* mapping, devmem_device* device,
            unsigned long huge_flag)
        : mm(memory, variants) {
        page* pud_table = alloc_pages(memory, page_use::pud_table);
        for (auto& slot : pud_table->slots) slot.store({0}, kernel::mo::relaxed, "clear_page", std::source_location::current());
        pgd_populate(&mm, pgd_offset(&mm, 0), pud_table);
        page* pmd_table = pmd_alloc_one(&mm, 0);
        pud_populate(&mm, pudp_t{pud_table, 0, pud_table->generation}, pmd_table);
        mm_inc_nr_pmds(&mm);
        pmd = pmd_handle(pmd_table, 0);
        vma.vm_start = 0;
        vma.vm_end = PMD_SIZE;
        vma.vm_mm = &mm;
        vma.vm_flags = VM_READ | VM_WRITE | VM_SHARED | VM_PFNMAP | huge_flag;
        vma.vm_ops = &devmem_vm_ops;
        vma.vm_private_data = device;
        mm.vmas.push_back(&vma);
        vma_interval_tree_insert(&vma, mapping);
    }
    mm_struct mm;
    vm_area_struct vma;
    pmdp_t pmd;
};

struct s9_world : scenario_instance {
    explicit s9_world(dirty_tracker_huge form)
        : memory(24), variants(with_form(form)), device(make_device(memory)),
          a(memory, variants, &mapping, &device, 0), b(memory, variants, &mapping, &device, VM_HUGEPAGE) {
        // mm A: pgoff 0 written before the walk: writable and dirty.
        page* table = pte_alloc_one(&a.mm);
        mm_inc_nr_ptes(&a.mm);
        set_pte_at(&a.mm, 0, pte_handle(table, 0),
                   pte_mkdirty(pte_mkyoung(pte_mkspecial(pfn_pte(device.base_pfn, PAGE_SHARED)))));
        pmd_populate(&a.mm, a.pmd, table);
        // mm B: the whole pmd from a read fault: huge, writable, clean.
        set_pmd_at(&b.mm, 0, b.pmd, pmd_mkyoung(pmd_mkdevmap(pmd_mkhuge(pfn_pmd(device.base_pfn, PAGE_SHARED)))));
    }

    static model_variants with_form(dirty_tracker_huge form) {
        model_variants v;
        v.tracker_huge = form;
        return v;
    }
    static devmem_device make_device(mem_map& memory) {
        devmem_device d;
        d.base_pfn = reserve_device_range(memory, HPAGE_PMD_NR, HPAGE_PMD_NR);
        d.pud_huge = false;
        d.pmd_huge = true;
        d.may_fall_back = false;
        return d;
    }

    void run_thread(int index) override {
        if (index == 0) return track();
        // Split the huge pmd under mmap_lock for read, as the write-notify
        // fallback of wp_huge_pmd() does (327e9fd48972, v5.8): unmapped, to be
        // refaulted. (Splitting it with MADV_DONTNEED instead lets the 2019
        // tracker's stale write resurrect the pmd under zap_pmd_range(), which
        // then finds a "bad" pmd: the same bug, seen as an assertion.)
        kernel::down_read(&b.mm.mmap_lock);
        split_huge_pmd(&b.vma, b.pmd, 2 * PAGE_SIZE);
        kernel::up_read(&b.mm.mmap_lock);
        for (int attempt = 0; attempt < 2; ++attempt) {  // the user's store, retried after each fault
            do_user_addr_fault(&b.mm, write_pgoff * PAGE_SIZE, FAULT_FLAG_WRITE);
            kernel::spinlock_t* ptl = pmd_lock(&b.mm, b.pmd);
            const pmd_t val = deref(b.pmd);
            kernel::spin_unlock(ptl);
            if (pmd_present(val) && pmd_write(val) && pmd_dirty(val)) {
                kernel::smp_store_release(write_done, 1);
                return;
            }
        }
    }

    // The driver: write-protect, then collect; the invariant is checked here,
    // against what was published before the collecting walk began.
    void track() {
        wp_shared_mapping_range(&mapping, 0, HPAGE_PMD_NR);
        const bool b_written = kernel::smp_load_acquire(write_done) == 1;
        unsigned long bitmap = 0;
        pgoff_t start = 0, end = 0;
        clean_record_shared_mapping_range(&mapping, 0, HPAGE_PMD_NR, 0, &bitmap, &start, &end);
        if (!(bitmap & 1ul))
            kernel::report_violation(violation_kind::walker_incomplete,
                                     "mm A's pgoff 0, dirty before the walk began, was not reported dirty");
        if (b_written && !(bitmap & (1ul << write_pgoff)))
            kernel::report_violation(violation_kind::walker_incomplete,
                                     "mm B's write to pgoff 1 completed before the collecting walk began but was "
                                     "not reported dirty: its dirty bit was lost");
    }

    mem_map memory;
    model_variants variants;
    address_space mapping;
    devmem_device device;
    process a, b;
    kernel::marked<int> write_done{0, {"write_done"}};
};

const scenario_registration s9_registration{
    [] {
        scenario_info info;
        info.name = "s9-walk-page-mapping-dirty-tracking";
        info.summary = "a dirty-tracking walk_page_mapping() over a file shared by two mms, racing a split and a "
                       "huge refault in one of them";
        info.source = "review of walk_page_mapping()/as_dirty_helpers.c (T. Hellstrom, 2019, seed thread 001)";
        info.variants = {
            {"v2019-blocking-huge-fault", "huge entries updated from a lockless snapshot, relying on huge_fault() "
                                          "blocking during the walk",
             violation_kind::walker_incomplete},
            {"ptl", "pmd_trans_huge_lock()/pud_trans_huge_lock() around the read and the update", std::nullopt},
        };
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> {
        return std::make_unique<s9_world>(v.name == "ptl" ? dirty_tracker_huge::ptl
                                                          : dirty_tracker_huge::v2019_blocking_huge_fault);
    }};

}  // namespace

MMCHECK_ENGINE_END
