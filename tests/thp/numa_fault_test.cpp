// NUMA hinting faults single threaded, v6.6 (model/mm/memory_numa.cpp,
// huge_memory_numa.cpp): change_prot_numa() makes a THP's pmd or a small
// page's pte PROT_NONE (not present to the MMU, same page); the next access
// faults into do_huge_pmd_numa_page() or do_numa_page(), which make it
// accessible again in place (the model has one node), young, and writable
// again only where mprotect() could make it writable (an exclusive anonymous
// page in a writable private VMA). The reference numa_migrate_prep() takes is
// dropped; the censuses must agree after each step.
#include "model/arch/x86/fault.h"
#include "model/mm/huge_memory.h"
#include "model/mm/mprotect.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/vma_lock.h"
#include "tests/thp/anon_world_test.h"

namespace {

using namespace thp_test;

struct numa_fault : anon_world_test {
    vm_fault_t fault(unsigned long address, bool write) {
        vm_fault_t ret = VM_FAULT_SIGBUS;
        run([&] { ret = do_user_addr_fault(world->mm.get(), address, write ? FAULT_FLAG_WRITE : 0); });
        return ret;
    }
    void numa_hint(unsigned long start, unsigned long end) {  // task_numa_work()
        under_mmap_read([&] { change_prot_numa(&world->vma, start, end); });
    }
    page* page_at(unsigned long pfn) { return pfn_to_page(world->memory, pfn); }
};

TEST_F(numa_fault, AReadFaultMakesAHintedThpAccessibleAndWritableAgainInPlace) {
    start(initial_pmd::thp);
    const pmd_t before = pmd();
    numa_hint(0, PMD_SIZE);
    ASSERT_TRUE(pmd_protnone(pmd()));
    EXPECT_TRUE(pmd_trans_huge(pmd()));
    EXPECT_FALSE(pmd_write(pmd()));
    EXPECT_EQ(pmd_pfn(pmd()), pmd_pfn(before));

    EXPECT_EQ(fault(PAGE_SIZE, false), 0u);
    EXPECT_FALSE(pmd_protnone(pmd()));
    EXPECT_TRUE(pmd_val(pmd()) & _PAGE_PRESENT);
    EXPECT_TRUE(pmd_trans_huge(pmd()));
    EXPECT_EQ(pmd_pfn(pmd()), pmd_pfn(before));
    // can_change_pmd_writable(): an exclusive anonymous THP, VM_WRITE.
    EXPECT_TRUE(pmd_write(pmd()));
    EXPECT_TRUE(pmd_young(pmd()));
    EXPECT_EQ(kernel::atomic_read(world->thp->_refcount), 1);  // numa_migrate_prep()'s reference dropped
    check_censuses();
}

TEST_F(numa_fault, AReadFaultMakesAHintedPteAccessibleAndWritableAgainInPlace) {
    start(initial_pmd::pte_table);
    const pte_t before = pte(1);
    numa_hint(PAGE_SIZE, 2 * PAGE_SIZE);
    ASSERT_TRUE(pte_protnone(pte(1)));
    EXPECT_FALSE(pte_write(pte(1)));
    EXPECT_FALSE(pte_protnone(pte(0)));  // outside the range
    EXPECT_EQ(pte_pfn(pte(1)), pte_pfn(before));

    EXPECT_EQ(fault(PAGE_SIZE, false), 0u);
    EXPECT_FALSE(pte_protnone(pte(1)));
    EXPECT_TRUE(pte_val(pte(1)) & _PAGE_PRESENT);
    EXPECT_EQ(pte_pfn(pte(1)), pte_pfn(before));
    EXPECT_TRUE(pte_write(pte(1)));
    EXPECT_TRUE(pte_young(pte(1)));
    EXPECT_EQ(kernel::atomic_read(page_at(pte_pfn(before))->_refcount), 1);
    check_censuses();
}

TEST_F(numa_fault, AWriteFaultOnAHintedExclusivePageRestoresItWritableWithoutACopy) {
    start(initial_pmd::pte_table);
    const pte_t before = pte(2);
    numa_hint(0, PMD_SIZE);
    EXPECT_EQ(fault(2 * PAGE_SIZE, true), 0u);
    EXPECT_EQ(pte_pfn(pte(2)), pte_pfn(before));
    EXPECT_TRUE(pte_write(pte(2)));
    for (unsigned i : {0u, 1u, 3u}) EXPECT_TRUE(pte_protnone(pte(i))) << "pte " << i;
    check_censuses();
}

TEST_F(numa_fault, WriteStaysOffInAReadOnlyVma) {
    start(initial_pmd::thp);
    run([&] {
        mmap_write_lock(world->mm.get());
        vma_start_write(&world->vma);
        world->vma.vm_flags &= ~VM_WRITE;  // as mprotect(PROT_READ) leaves it
        mmap_write_unlock(world->mm.get());
    });
    numa_hint(0, PMD_SIZE);
    EXPECT_EQ(fault(0, false), 0u);
    EXPECT_FALSE(pmd_protnone(pmd()));
    EXPECT_FALSE(pmd_write(pmd()));  // vma_wants_manual_pte_write_upgrade(): no VM_WRITE
    check_censuses();
}

TEST_F(numa_fault, TheTraceNamesAHintedHugePmdProtnone) {
    start(initial_pmd::thp);
    numa_hint(0, PMD_SIZE);
    EXPECT_EQ(describe(pgtable_word{pmd_val(pmd())}).rfind("protnone huge pfn ", 0), 0u) << describe(pgtable_word{pmd_val(pmd())});
    run([&] {
        kernel::spin_lock(pmd_lockptr(world->mm.get(), world->pmd));
        pmdp_invalidate(&world->vma, 0, world->pmd);
        kernel::spin_unlock(pmd_lockptr(world->mm.get(), world->pmd));
    });
    EXPECT_EQ(describe(pgtable_word{pmd_val(pmd())}).rfind("invalidated huge pfn ", 0), 0u);
}

}  // namespace
