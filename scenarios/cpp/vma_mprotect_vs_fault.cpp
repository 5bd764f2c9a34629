// mprotect(PROT_READ) of part of a VMA races stores that fault (mm/mprotect.c,
// mm/mmap.c, arch/x86/mm/fault.c v6.6).
//
// One private anonymous VMA over two pmds: the first mapped by a THP, the
// second by a pte table with its first page mapped, all writable, set up by
// faults before the threads start (the VMA loses VM_HUGEPAGE after the THP
// fault, as MADV_NOHUGEPAGE would leave it, so the second pmd gets small
// pages). mprotect(PROT_READ) of [0, PMD_SIZE + 2 pages) splits the VMA at
// its end (__split_vma()), write-locks it (vma_start_write()), changes its
// flags and runs change_protection(): change_huge_pmd() for the whole THP
// (pmdp_invalidate_ad(), then the read-only pmd), change_pte_range() for the
// two small pages. Meanwhile the MMU stores to the THP, to a not yet faulted
// page inside the range and to one outside it, each store faulting
// (do_user_addr_fault(): the per-VMA lock, or mmap_lock on the v5.4 entry)
// and retrying as a user access would. A store in the range either completes
// before mprotect() changes the VMA or gets SIGSEGV; the one outside always
// completes.
//
// Checks after every execution: no pte or pmd in the read-only range is
// writable, the THP and the first small page are still mapped by the same
// pfns (nothing lost or duplicated), the VMA tree is the two expected VMAs
// (ordered list, RCU slots, nothing detached linked), the page-table census,
// check_anon_accounting() and no mapping outside the VMAs.
#include <string>

#include "model/arch/x86/fault.h"
#include "model/arch/x86/hw_access.h"
#include "model/mm/mm_check.h"
#include "model/mm/mprotect.h"
#include "model/mm/rmap.h"
#include "scenarios/body.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;

constexpr unsigned long mprotect_end = PMD_SIZE + 2 * PAGE_SIZE;
constexpr unsigned long thp_store_address = PAGE_SIZE;
constexpr unsigned long read_only_store_address = PMD_SIZE + PAGE_SIZE;
constexpr unsigned long writable_store_address = PMD_SIZE + 3 * PAGE_SIZE;

enum class store_outcome { stored, sigsegv };

model_variants mprotect_variants(const variant_info& v) {
    model_variants mv;
    if (v.name == "v5.4-mmap-lock-fault") mv.fault_entry = user_addr_fault::v5_4_mmap_lock;
    return mv;
}

void report(const std::string& what) { kernel::report_violation(kernel::violation_kind::accounting, what); }

struct mprotect_vs_fault_instance : scenario_instance {
    explicit mprotect_vs_fault_instance(const variant_info& v) : variants(mprotect_variants(v)), memory(24) {
        mm = std::make_unique<mm_struct>(memory, variants);
        vma.vm_start = 0;
        vma.vm_end = 2 * PMD_SIZE;
        vma.vm_mm = mm.get();
        vma.vm_flags = VM_READ | VM_WRITE | VM_HUGEPAGE;
        vma.anonymous = true;
        mm->vmas.push_back(&vma);
        do_user_addr_fault(mm.get(), 0, FAULT_FLAG_WRITE);  // the THP
        vma.vm_flags = VM_READ | VM_WRITE;
        do_user_addr_fault(mm.get(), PMD_SIZE, FAULT_FLAG_WRITE);  // a small page
        thp_pmd = pmd_of(0);
        thp_pfn = pmd_pfn(deref(thp_pmd));
        small_pfn = pte_pfn(deref(pte_offset_map(pmd_of(PMD_SIZE), PMD_SIZE)));
    }

    pmdp_t pmd_of(unsigned long addr) { return pmd_offset(pud_offset(pgd_offset(mm.get(), addr), addr), addr); }

    // A user store: the MMU, and on a page fault the fault handler and the
    // store again, until it completes or the fault says SIGSEGV. Two faults
    // are enough (the first maps the page writable, mprotect() may then make
    // it read-only, the second is refused); a third is a fault that did not
    // make progress.
    store_outcome store(unsigned long address) {
        for (int faults = 0; faults < 3; ++faults) {
            if (hw_access(mm.get(), address, true) == hw_access_result::done) return store_outcome::stored;
            const vm_fault_t fault = do_user_addr_fault(mm.get(), address, FAULT_FLAG_WRITE);
            if (fault == VM_FAULT_SIGSEGV) return store_outcome::sigsegv;
            if (fault != 0) {
                report("a store's write fault failed with " + std::to_string(fault));
                return store_outcome::sigsegv;
            }
        }
        report("a store faulted three times without completing or SIGSEGV at " + std::to_string(address));
        return store_outcome::sigsegv;
    }

    void run_thread(int index) override {
        if (index == 0) {
            mprotect_result = do_mprotect_pkey(mm.get(), 0, mprotect_end, PROT_READ, -1);
            return;
        }
        // Either outcome is right for the THP: check_protection() looks at its pmd.
        store(thp_store_address);
        read_only_store = store(read_only_store_address);
        writable_store = store(writable_store_address);
    }

    void finish() override {
        check_page_tables(mm.get());
        check_anon_accounting(mm.get());
        check_no_mapping_outside_vmas(mm.get());
        if (mprotect_result != 0) report("mprotect() failed with " + std::to_string(mprotect_result));
        check_vmas();
        check_protection();
        if (writable_store != store_outcome::stored)
            report("a store outside the mprotect() range got SIGSEGV");
    }

    // The tree holds [0, mprotect_end) read-only and the rest writable, in its
    // ordered list and in the slots lock_vma_under_rcu() walks.
    void check_vmas() {
        if (mm->vmas.size() != 2 || mm->vmas[0]->vm_start != 0 || mm->vmas[0]->vm_end != mprotect_end ||
            mm->vmas[0]->vm_flags != VM_READ || mm->vmas[1]->vm_start != mprotect_end ||
            mm->vmas[1]->vm_end != 2 * PMD_SIZE || mm->vmas[1]->vm_flags != (VM_READ | VM_WRITE) ||
            mm->vmas[1]->vm_pgoff != (mprotect_end >> PAGE_SHIFT)) {
            report("after mprotect() the VMA tree is not [0, PMD_SIZE + 2 pages) read-only, the rest writable");
            return;
        }
        for (unsigned long addr = 0; addr < 2 * PMD_SIZE; addr += PAGE_SIZE) {
            vm_area_struct* expected = addr < mprotect_end ? mm->vmas[0] : mm->vmas[1];
            if (mm->vmas.mas_walk(addr) != expected || expected->detached.read())
                report("the VMA tree's RCU slots do not find the VMA its list has at " + std::to_string(addr));
        }
    }

    // Nothing in the read-only range is writable, and nothing mapped before
    // the threads started was lost or replaced.
    void check_protection() {
        const pmd_t thp = deref(thp_pmd);
        if (!pmd_trans_huge(thp) || pmd_pfn(thp) != thp_pfn)
            report("mprotect() lost or replaced the THP's huge pmd");
        else if (pmd_write(thp))
            report("after mprotect(PROT_READ) the THP's huge pmd is writable");
        const pmdp_t small_pmd = pmd_of(PMD_SIZE);
        for (unsigned long addr = PMD_SIZE; addr < mprotect_end; addr += PAGE_SIZE) {
            const pte_t pte = deref(pte_offset_map(small_pmd, addr));
            if (addr == PMD_SIZE && (!pte_present(pte) || pte_pfn(pte) != small_pfn))
                report("mprotect() lost or replaced the mapping of the first small page");
            if (pte_present(pte) && pte_write(pte))
                report("after mprotect(PROT_READ) a pte in the range is writable, at " + std::to_string(addr));
        }
        // A store that completed in the range left its page mapped.
        const pte_t read_only_pte = deref(pte_offset_map(small_pmd, read_only_store_address));
        if (read_only_store == store_outcome::stored &&
            (!pte_present(read_only_pte) || pfn_to_page(memory, pte_pfn(read_only_pte))->use != page_use::anon))
            report("a store in the range completed, but its page is not mapped");
        const pte_t stored = deref(pte_offset_map(small_pmd, writable_store_address));
        if (!pte_present(stored) || !pte_write(stored) ||
            pfn_to_page(memory, pte_pfn(stored))->use != page_use::anon)
            report("the store outside the range completed, but its page is not mapped writable");
    }

    model_variants variants;
    mem_map memory;
    std::unique_ptr<mm_struct> mm;
    vm_area_struct vma;
    pmdp_t thp_pmd;
    unsigned long thp_pfn = 0, small_pfn = 0;
    int mprotect_result = 0;
    store_outcome read_only_store = store_outcome::sigsegv;
    store_outcome writable_store = store_outcome::sigsegv;
};

const scenario_registration mprotect_vs_fault{
    [] {
        scenario_info info;
        info.name = "vma-mprotect-vs-write-fault";
        info.summary = "mprotect(PROT_READ) of part of a VMA and a THP races stores that fault";
        info.source = "mm/mprotect.c, mm/mmap.c (vma_merge, __split_vma), arch/x86/mm/fault.c v6.6";
        info.threads = 2;
        info.variants = {
            {"v6.6", "v6.6: the fault under the per-VMA lock; mprotect_fixup() write-locks the VMA", std::nullopt},
            {"v5.4-mmap-lock-fault", "v5.4 do_user_addr_fault(): the fault under mmap_lock for read", std::nullopt}};
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> {
        return std::make_unique<mprotect_vs_fault_instance>(v);
    }};

}  // namespace

MMCHECK_ENGINE_END
