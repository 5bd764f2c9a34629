// A store to the huge zero page races MADV_DONTNEED of its pmd (mm/memory.c,
// mm/huge_memory.c v6.6, use_zero_page on).
//
// A read fault mapped the huge zero page before the threads start. The
// store's write fault reaches do_huge_pmd_wp_page(), which splits the pmd
// (__split_huge_zero_page_pmd(): cleared, then the withdrawn table of
// zero-page ptes populated, in one hold of the pmd lock) and falls back to
// the pte level, where do_wp_page() copies the zero page. MADV_DONTNEED, under
// mmap_lock for read like the fault, zaps the huge zero pmd whole
// (zap_huge_pmd(): the deposited table withdrawn, no count on the zero page
// changed), or the ptes after the split, or sees the transient pmd_none() and
// skips a range that maps only zeroes. Every order must leave the page tables
// and every page's counts consistent, and a completed store's address, unless
// zapped after it, mapped by a private writable page.
#include "model/arch/x86/fault.h"
#include "model/arch/x86/hw_access.h"
#include "model/mm/huge_memory.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/mm_check.h"
#include "scenarios/body.h"
#include "scenarios/cpp/s4_anon_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;
using s4_world::anon_world;
using s4_world::initial_pmd;

constexpr unsigned long huge_zero_store_address = PAGE_SIZE;

struct huge_zero_instance : scenario_instance {
    explicit huge_zero_instance(const variant_info&) : world(model_variants{}, initial_pmd::none) {
        world.memory.transparent_hugepage_use_zero_page = true;
        do_user_addr_fault(world.mm.get(), 0, 0);  // the read fault: the huge zero page
    }

    void run_thread(int index) override {
        mm_struct* mm = world.mm.get();
        if (index == 0) {
            if (hw_access(mm, huge_zero_store_address, true) == hw_access_result::done) {
                stored = true;
                return;
            }
            do_user_addr_fault(mm, huge_zero_store_address, FAULT_FLAG_WRITE);
            stored = hw_access(mm, huge_zero_store_address, true) == hw_access_result::done;
            return;
        }
        kernel::down_read(&mm->mmap_lock);
        madvise_dontneed_single_vma(&world.vma, 0, PMD_SIZE);
        kernel::up_read(&mm->mmap_lock);
    }

    void finish() override {
        check_page_tables(world.mm.get());
        check_anon_accounting(world.mm.get());
        if (!stored) return;
        // A zap after the store may have unmapped it; what still maps the
        // address must be the store's private writable page.
        const pmd_t pmd = deref(world.pmd);
        unsigned long pfn = 0;
        bool write = false;
        if (pmd_none(pmd)) return;
        if (pmd_trans_huge(pmd)) {
            pfn = pmd_pfn(pmd) + pte_index(huge_zero_store_address);
            write = pmd_write(pmd);
        } else {
            const pte_t pte = deref(pte_offset_map(world.pmd, huge_zero_store_address));
            if (pte_none(pte)) return;
            pfn = pte_pfn(pte);
            write = pte_present(pte) && pte_write(pte);
        }
        if (!write || compound_head(pfn_to_page(world.memory, pfn))->use != page_use::anon)
            kernel::report_violation(kernel::violation_kind::accounting,
                                     "the store completed, but its address is mapped to a page it could not have written");
    }

    anon_world world;
    bool stored = false;
};

const scenario_registration huge_zero_vs_dontneed{
    [] {
        scenario_info info;
        info.name = "thp-huge-zero-store-vs-dontneed";
        info.summary = "a store's write fault splits the huge zero pmd while MADV_DONTNEED zaps it";
        info.source = "mm/huge_memory.c v6.6 (do_huge_pmd_wp_page, __split_huge_zero_page_pmd, zap_huge_pmd)";
        info.threads = 2;
        info.variants = {{"v6.6", "mm/huge_memory.c, mm/memory.c v6.6 with use_zero_page", std::nullopt}};
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> { return std::make_unique<huge_zero_instance>(v); }};

}  // namespace

MMCHECK_ENGINE_END
