// S3: THP split vs the HMM mm_pt_iter (seed thread 000: review of Jérôme
// Glisse's HMM series, 2016; "HMM: add mm page table iterator helpers").
//
// mm_pt_iter_page() looks up the page behind an address for the mirror's
// set_page_dirty(). Its pmd step (model/mm/variants.h, hmm_mm_pt_iter):
// - seed-2016: lockless pmd_trans_huge(), pmd_lock(), re-check, and "it was
//   morphing from thp to regular, try again"; must pass.
// - no-recheck: pmd_lock() but no re-check: after a split it decodes the pte
//   table entry as a huge leaf; must fail.
// - second-read: lockless, decoding a second read of *pmdp instead of the
//   value it checked; must fail.
// - lockless-snapshot: lockless, decoding the one value it checked; passes,
//   which shows the lock matters only for re-reading.
// A wrong page is reported as secondary-mmu-incoherent: the mirror would dirty
// (and track) a page the CPU never mapped at that address.
//
// The second scenario keeps the iterator's cached ptep across two calls while
// khugepaged collapses the range, MADV_DONTNEED zaps the THP (freeing the old
// pte table, which collapse had deposited) and a refault reuses that page. The
// iterator relies on its caller holding mmap_lock or i_mmap_lock; called
// without mmap_lock (only the lock of some file) it must fail with
// table-use-after-free; holding mmap_lock for read across both calls it passes.
#include <string>

#include "model/arch/x86/fault.h"
#include "model/mm/hmm_iter.h"
#include "model/mm/huge_memory.h"
#include "model/mm/khugepaged.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/mm_check.h"
#include "scenarios/body.h"
#include "scenarios/cpp/s4_anon_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;
using s4_world::anon_world;
using s4_world::initial_pmd;

constexpr unsigned long iter_address = 2 * PAGE_SIZE;

model_variants iter_variant(const variant_info& variant) {
    model_variants v;
    if (variant.name == "no-recheck") v.mm_pt_iter = hmm_mm_pt_iter::no_recheck;
    if (variant.name == "second-read") v.mm_pt_iter = hmm_mm_pt_iter::second_read;
    if (variant.name == "lockless-snapshot") v.mm_pt_iter = hmm_mm_pt_iter::lockless_snapshot;
    return v;
}

// Thread 0: the mirror's update under mmap_lock for read; thread 1: a split of
// the same THP (as mprotect or a partial MADV_DONTNEED would do it).
struct split_instance : scenario_instance {
    explicit split_instance(const variant_info& variant) : world(iter_variant(variant), initial_pmd::thp) {}

    void run_thread(int index) override {
        mm_struct* mm = world.mm.get();
        kernel::down_read(&mm->mmap_lock);
        if (index == 0) {
            mm_pt_iter iter;
            mm_pt_iter_init(&iter, mm);
            const page* p = mm_pt_iter_page(&iter, iter_address);
            mm_pt_iter_fini(&iter);
            // Split or not, the CPU maps this subpage of the THP at iter_address.
            const unsigned long want = world.thp->pfn + pte_index(iter_address);
            if (p == nullptr || p->pfn != want)
                kernel::report_violation(
                    kernel::violation_kind::mirror_incoherent,
                    "mm_pt_iter_page() returned pfn " + (p ? std::to_string(p->pfn) : std::string("NULL")) +
                        " for an address the CPU maps to pfn " + std::to_string(want) +
                        ": the mirror would dirty a page it does not map");
        } else {
            split_huge_pmd(&world.vma, world.pmd, 0);
        }
        kernel::up_read(&mm->mmap_lock);
    }

    void finish() override {
        check_page_tables(world.mm.get());
        check_anon_accounting(world.mm.get());
    }

    anon_world world;
};

const scenario_registration vs_split{
    [] {
        scenario_info info;
        info.name = "s3-hmm-mm-pt-iter-vs-thp-split";
        info.summary = "the HMM mm_pt_iter reads a THP pmd while __split_huge_pmd() turns it into a pte table";
        info.source = "seed thread 000 (HMM series review, 2016): mm_pt_iter_page()";
        info.threads = 2;
        info.variants = {
            {"seed-2016", "lockless check, pmd_lock(), re-check, retry", std::nullopt},
            {"no-recheck", "pmd_lock() without the re-check", violation_kind::mirror_incoherent},
            {"second-read", "lockless, decodes a second read of *pmdp", violation_kind::mirror_incoherent},
            {"lockless-snapshot", "lockless, decodes the checked snapshot", std::nullopt},
        };
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> { return std::make_unique<split_instance>(v); }};

// Thread 0: two lookups in one pte table, the second through the cached ptep;
// thread 1: khugepaged collapse, MADV_DONTNEED, refault.
struct cached_ptep_instance : scenario_instance {
    explicit cached_ptep_instance(const variant_info& variant)
        : world(model_variants{}, initial_pmd::pte_table), holds_mmap_lock(variant.name == "holds-mmap-lock") {}

    void run_thread(int index) override {
        mm_struct* mm = world.mm.get();
        if (index == 0) {
            if (holds_mmap_lock) kernel::down_read(&mm->mmap_lock);
            mm_pt_iter iter;
            mm_pt_iter_init(&iter, mm);
            mm_pt_iter_page(&iter, 0);
            mm_pt_iter_page(&iter, PAGE_SIZE);
            mm_pt_iter_fini(&iter);
            if (holds_mmap_lock) kernel::up_read(&mm->mmap_lock);
            return;
        }
        kernel::down_read(&mm->mmap_lock);
        collapse_huge_page(mm, 0);  // returns with mmap_lock released
        kernel::down_read(&mm->mmap_lock);
        madvise_dontneed_single_vma(&world.vma, 0, PMD_SIZE);
        kernel::up_read(&mm->mmap_lock);
        do_user_addr_fault(mm, 0, FAULT_FLAG_WRITE);
    }

    void finish() override {
        check_page_tables(world.mm.get());
        check_anon_accounting(world.mm.get());
    }

    anon_world world;
    bool holds_mmap_lock;
};

const scenario_registration cached_ptep{
    [] {
        scenario_info info;
        info.name = "s3-hmm-mm-pt-iter-cached-ptep";
        info.summary = "the mm_pt_iter's cached ptep outlives its pte table: collapse, zap and refault reuse it";
        info.source = "seed thread 000 (HMM series review, 2016): the iterator's locking assumption";
        info.threads = 2;
        info.variants = {
            {"no-mmap-lock", "the caller holds neither mmap_lock nor the VMA's i_mmap_lock",
             violation_kind::table_use_after_free},
            {"holds-mmap-lock", "the caller holds mmap_lock for read across both lookups", std::nullopt},
        };
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> {
        return std::make_unique<cached_ptep_instance>(v);
    }};

}  // namespace

MMCHECK_ENGINE_END
