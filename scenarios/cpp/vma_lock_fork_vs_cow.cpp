// fork() against a write fault of the parent under the per-VMA lock
// (kernel/fork.c dup_mmap(), mm/memory.c do_wp_page(), v6.4 and v6.6;
// fb49c455323f "fork: lock VMAs of the parent process when forking").
//
// The parent has one private anonymous page P, exclusive and writable, with
// two words of data (1, 1), and three threads: A forks; B's CPU holds a
// writable TLB entry for P (B stored to it before the threads start) and
// stores 2 to word 0; C's CPU has no entry and stores 3 to word 1, so its
// store walks the page tables and, once fork has write-protected the pte,
// write-faults through do_user_addr_fault()'s per-VMA-lock path.
//
// fork shares P write-protected with the child, but flushes the parent's TLBs
// only at the end of dup_mmap() (flush_tlb_mm()), so until then B may keep
// storing to P: those stores race with the fork, which is allowed. In v6.4,
// C's fault does not take mmap_lock and dup_mmap() does not write-lock the
// VMA, so C can copy P for the parent (wp_page_copy()) while B's entry is
// still writable; B's store after the copy and before C's ptep_clear_flush()
// lands in P, which is now the child's alone. With fb49c455323f, C's fault
// waits for mmap_write_unlock(), after the flush, so B's store faults too
// and COWs or reuses like any other.
//
// The invariant is the user's: when all threads are done, the parent reads
// back both of its stores (2 in word 0, 3 in word 1); a store missing from
// the parent's memory is lost-write. Then the page tables and counts of both
// mms together are checked, the child exits, and the parent's alone must be
// consistent again.
#include "model/arch/x86/fault.h"
#include "model/arch/x86/tlb.h"
#include "model/mm/fork.h"
#include "model/mm/mm_check.h"
#include "scenarios/body.h"
#include "scenarios/cpp/s4_anon_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;
using s4_world::anon_world;
using s4_world::initial_pmd;

constexpr unsigned long fork_race_word0 = 0;                      // B's word of P
constexpr unsigned long fork_race_word1 = sizeof(unsigned long);  // C's word of P
constexpr unsigned long fork_race_b_value = 2;
constexpr unsigned long fork_race_c_value = 3;

model_variants fork_race_variants(const variant_info& variant) {
    model_variants v;
    v.fork_lock = variant.name == "v6.4-no-vma-lock-on-fork" ? fork_vma_lock::v6_4_no_vma_lock_on_fork
                                                              : fork_vma_lock::fixed_fb49c455323f;
    return v;
}

struct fork_race_instance : scenario_instance {
    explicit fork_race_instance(const variant_info& variant)
        : world(fork_race_variants(variant), initial_pmd::none) {
        mm_struct* mm = world.mm.get();
        world.memory.user_contents = true;
        world.vma.vm_flags = VM_READ | VM_WRITE;
        // P as do_anonymous_page() and B's earlier store left it.
        page* table = pte_alloc_one(mm);
        mm_inc_nr_ptes(mm);
        shared = vma_alloc_folio(&world.vma, 0);
        page_add_new_anon_rmap(shared, &world.vma, 0);
        set_pte_at(mm, 0, pte_handle(table, 0),
                   pte_mkyoung(pte_mkwrite(pte_mkdirty(pfn_pte(shared->pfn, PAGE_READONLY)))));
        pmd_populate(mm, world.pmd, table);
        for (auto& word : shared->contents) kernel::WRITE_ONCE(word, 1ul);
        cpus[0].valid.write(true);
        cpus[0].vaddr.write(0);
        cpus[0].pfn.write(shared->pfn);
        cpus[0].writable.write(true);
        mm->cpu_tlbs = {&cpus[0], &cpus[1]};
    }

    // A user store on `cpu`: through the TLB or the walk, else the write fault
    // and again, as the CPU re-executes the faulting instruction.
    void user_store(cpu_tlb* cpu, unsigned long address, unsigned long value) {
        mm_struct* mm = world.mm.get();
        for (int attempt = 0; attempt < 3; ++attempt) {
            if (tlb_user_store(cpu, mm, address, value) == hw_access_result::done) return;
            do_user_addr_fault(mm, address, FAULT_FLAG_WRITE | FAULT_FLAG_USER);
        }
        kernel::VM_BUG_ON(true, "a user store faulted three times");
    }

    void run_thread(int index) override {
        if (index == 0) child = dup_mm(world.mm.get());
        if (index == 1) user_store(&cpus[0], fork_race_word0, fork_race_b_value);
        if (index == 2) user_store(&cpus[1], fork_race_word1, fork_race_c_value);
    }

    // What mm's page tables map at address 0: the page, read as the CPU would
    // walk them with no TLB, or nullptr.
    page* mapped_page(mm_struct* mm) {
        pmdp_t pmd;
        if (!mm_find_pmd(mm, 0, &pmd) || pmd_none(deref(pmd))) return nullptr;
        const pte_t pte = deref(pte_offset_map(pmd, 0));
        return pte_present(pte) ? pfn_to_page(world.memory, pte_pfn(pte)) : nullptr;
    }

    void expect_parent_word(page* p, unsigned long address, unsigned long stored, const char* who) {
        const unsigned long seen = kernel::READ_ONCE(user_word(p, address));
        if (seen == stored) return;
        kernel::report_violation(kernel::violation_kind::lost_write,
                                 std::string(who) + "'s store of " + std::to_string(stored) + " at offset " +
                                     std::to_string(address) + " is not in the parent's memory: the parent's page pfn " +
                                     std::to_string(p->pfn) + " holds " + std::to_string(seen) +
                                     " (a write through a stale TLB entry to the page the parent COWed away)");
    }

    void finish() override {
        mm_struct* mm = world.mm.get();
        kernel::VM_BUG_ON(!child, "dup_mm() failed: the scenario's memory is too small");
        page* parent_page = mapped_page(mm);
        kernel::VM_BUG_ON(parent_page == nullptr, "the parent's page is unmapped after its stores");
        expect_parent_word(parent_page, fork_race_word0, fork_race_b_value, "B");
        expect_parent_word(parent_page, fork_race_word1, fork_race_c_value, "C");
        kernel::VM_BUG_ON(mapped_page(child.get()) == nullptr, "the child does not map the page fork copied");
        check_page_tables({mm, child.get()});
        check_anon_accounting({mm, child.get()});
        mmput(child.get());  // the child exits: its share of every page goes
        check_page_tables(mm);
        check_anon_accounting(mm);
    }

    anon_world world;
    cpu_tlb cpus[2];
    page* shared = nullptr;
    std::unique_ptr<mm_struct> child;
};

const scenario_registration fork_vs_cow{
    [] {
        scenario_info info;
        info.name = "vma-lock-fork-vs-cow-fault";
        info.summary = "fork() shares a page while the parent COWs it under the per-VMA lock and a stale TLB entry writes it";
        info.source = "fb49c455323f \"fork: lock VMAs of the parent process when forking\" (v6.5-rc1, 6.4.y); "
                      "kernel/fork.c, mm/memory.c v6.6";
        info.threads = 3;
        info.variants = {
            {"v6.4-no-vma-lock-on-fork", "dup_mmap() without vma_start_write(): the parent's fault COWs during fork",
             kernel::violation_kind::lost_write},
            {"v6.6", "fb49c455323f: dup_mmap() write-locks each parent VMA; faults wait for the flush", std::nullopt},
        };
        return info;
    }(),
    [](const variant_info& v) -> std::unique_ptr<scenario_instance> { return std::make_unique<fork_race_instance>(v); }};

}  // namespace

MMCHECK_ENGINE_END
