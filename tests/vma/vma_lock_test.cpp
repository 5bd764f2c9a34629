// The per-VMA lock, single threaded: vma_start_read() against the write lock and
// the mm's sequence, lock_vma_under_rcu() on detached, missing and anon_vma-less
// VMAs, and v6.6 faults that take the VMA lock (anonymous) or fall back to
// mmap_lock (a driver's ->fault). Which lock a fault took is read off the
// execution's trace.
#include <gtest/gtest.h>

#include <cstring>

#include "model/arch/x86/fault.h"
#include "model/drivers/devmem.h"
#include "model/mm/memory.h"
#include "model/mm/mm_check.h"
#include "model/mm/vma_lock.h"
#include "tests/common/model_world.h"

namespace {

using namespace mmcheck;
using namespace mmcheck::mm;

// One anonymous VMA over the first pmd, traced so that a test can count the
// steps a fault took.
struct world : model_test::model_world {
    world() : model_world(48, {}, true) {
        model_test::init_anon_vma(anon, mm.get(), 0, PMD_SIZE, VM_READ | VM_WRITE);
        mm->vmas.push_back(&anon);
    }

    // How many recorded steps did `op` on the object named `object`.
    int steps(const char* op, const char* object) const {
        int n = 0;
        for (const auto& s : exec.trace)
            if (std::strcmp(s.op, op) == 0 && std::strcmp(s.object.what, object) == 0) ++n;
        return n;
    }

    vm_area_struct anon;
};

TEST(vma_start_read, fails_while_write_locked_and_succeeds_after_mmap_write_unlock) {
    world w;
    ASSERT_TRUE(w.run([&] {
        mmap_write_lock(w.mm.get());
        vma_start_write(&w.anon);
        EXPECT_EQ(kernel::plain_deref(w.anon.vm_lock_seq), kernel::plain_deref(w.mm->mm_lock_seq));
        vma_assert_write_locked(&w.anon);
        EXPECT_FALSE(vma_start_read(&w.anon));
        EXPECT_FALSE(kernel::detail::holds(&w.anon.vm_lock));
        mmap_write_unlock(w.mm.get());
        // The mm's sequence moved past the VMA's: unlocked without touching it.
        EXPECT_EQ(kernel::plain_deref(w.mm->mm_lock_seq), kernel::plain_deref(w.anon.vm_lock_seq) + 1);
        EXPECT_TRUE(vma_start_read(&w.anon));
        EXPECT_TRUE(kernel::detail::holds(&w.anon.vm_lock));
        vma_end_read(&w.anon);
        EXPECT_FALSE(kernel::detail::holds(&w.anon.vm_lock));
    }));
}

// A VMA whose lock sequence equals the mm's is write-locked whoever set it: the
// sequence alone decides, before and after the trylock.
TEST(vma_start_read, fails_when_the_mm_sequence_reaches_the_vma_sequence) {
    world w;
    ASSERT_TRUE(w.run([&] {
        EXPECT_TRUE(vma_start_read(&w.anon));
        vma_end_read(&w.anon);
        kernel::WRITE_ONCE(w.anon.vm_lock_seq, kernel::plain_deref(w.mm->mm_lock_seq) + 1);
        EXPECT_TRUE(vma_start_read(&w.anon));
        vma_end_read(&w.anon);
        kernel::WRITE_ONCE(w.mm->mm_lock_seq, kernel::plain_deref(w.anon.vm_lock_seq));
        EXPECT_FALSE(vma_start_read(&w.anon));
    }));
}

TEST(vma_start_write, without_mmap_lock_is_a_lock_discipline_violation) {
    world w;
    EXPECT_THROW(vma_start_write(&w.anon), kernel::backend::execution_aborted);
    ASSERT_TRUE(w.exec.violation.has_value());
    EXPECT_EQ(w.exec.violation->kind, kernel::violation_kind::lock_discipline);
}

TEST(vma_mark_detached, needs_the_vma_write_locked) {
    world w;
    kernel::down_write(&w.mm->mmap_lock);
    EXPECT_THROW(vma_mark_detached(&w.anon, true), kernel::backend::execution_aborted);
    ASSERT_TRUE(w.exec.violation.has_value());
    EXPECT_EQ(w.exec.violation->kind, kernel::violation_kind::assertion);
}

TEST(lock_vma_under_rcu, locks_the_vma_at_the_address) {
    world w;
    ASSERT_TRUE(w.run([&] {
        EXPECT_EQ(lock_vma_under_rcu(w.mm.get(), PAGE_SIZE), &w.anon);
        EXPECT_TRUE(kernel::detail::holds(&w.anon.vm_lock));
        EXPECT_FALSE(kernel::rcu_read_lock_held());
        vma_end_read(&w.anon);
    }));
}

TEST(lock_vma_under_rcu, fails_outside_every_vma) {
    world w;
    ASSERT_TRUE(w.run([&] {
        EXPECT_EQ(lock_vma_under_rcu(w.mm.get(), PMD_SIZE), nullptr);
        EXPECT_FALSE(kernel::rcu_read_lock_held());
    }));
}

// munmap()'s detach: write-locked, marked detached, out of the tree, unlocked.
TEST(lock_vma_under_rcu, fails_on_a_detached_vma) {
    world w;
    ASSERT_TRUE(w.run([&] {
        mmap_write_lock(w.mm.get());
        vma_start_write(&w.anon);
        vma_mark_detached(&w.anon, true);
        w.mm->vmas.clear();
        mmap_write_unlock(w.mm.get());
        EXPECT_TRUE(w.anon.detached.read());
        EXPECT_EQ(lock_vma_under_rcu(w.mm.get(), PAGE_SIZE), nullptr);
        EXPECT_FALSE(kernel::detail::holds(&w.anon.vm_lock));
        EXPECT_FALSE(kernel::rcu_read_lock_held());
    }));
}

// v6.6: an anonymous VMA without an anon_vma is left to the mmap_lock path,
// which would anon_vma_prepare() it.
TEST(lock_vma_under_rcu, fails_on_an_anonymous_vma_without_anon_vma) {
    world w;
    w.anon.anon_vma = false;
    ASSERT_TRUE(w.run([&] {
        EXPECT_EQ(lock_vma_under_rcu(w.mm.get(), PAGE_SIZE), nullptr);
        EXPECT_FALSE(kernel::detail::holds(&w.anon.vm_lock));
    }));
}

TEST(do_user_addr_fault_v6_6, maps_an_anonymous_page_under_the_vma_lock) {
    world w;
    ASSERT_TRUE(w.run([&] {
        EXPECT_EQ(do_user_addr_fault(w.mm.get(), PAGE_SIZE, FAULT_FLAG_WRITE), 0u);
        EXPECT_TRUE(pte_present(w.pte_at(PAGE_SIZE)));
        EXPECT_TRUE(pte_write(w.pte_at(PAGE_SIZE)));
        check_page_tables(w.mm.get());
    }));
    EXPECT_EQ(w.steps("down_read_trylock (taken)", "vma->vm_lock"), 1);
    EXPECT_EQ(w.steps("up_read", "vma->vm_lock"), 1);
    EXPECT_EQ(w.steps("down_read", "mm->mmap_lock"), 0);
}

TEST(do_user_addr_fault_v6_6, falls_back_to_mmap_lock_when_the_vma_is_write_locked) {
    world w;
    ASSERT_TRUE(w.run([&] {
        kernel::down_write(&w.mm->mmap_lock);
        vma_start_write(&w.anon);
        kernel::up_write(&w.mm->mmap_lock);  // no vma_end_write_all(): still write-locked
        EXPECT_EQ(do_user_addr_fault(w.mm.get(), PAGE_SIZE, 0), 0u);
        EXPECT_TRUE(pte_present(w.pte_at(PAGE_SIZE)));
    }));
    EXPECT_EQ(w.steps("down_read_trylock (taken)", "vma->vm_lock"), 0);
    EXPECT_EQ(w.steps("down_read", "mm->mmap_lock"), 1);
}

TEST(do_user_addr_fault_v5_4, takes_mmap_lock_only) {
    world w;
    w.variants.fault_entry = user_addr_fault::v5_4_mmap_lock;
    ASSERT_TRUE(w.run([&] { EXPECT_EQ(do_user_addr_fault(w.mm.get(), PAGE_SIZE, FAULT_FLAG_WRITE), 0u); }));
    EXPECT_TRUE(pte_present(w.pte_at(PAGE_SIZE)));
    EXPECT_EQ(w.steps("down_read_trylock (taken)", "vma->vm_lock"), 0);
    EXPECT_EQ(w.steps("down_read", "mm->mmap_lock"), 1);
}

// A driver's ->fault is not called under the VMA lock in v6.6: VM_FAULT_RETRY
// drops it and the mmap_lock path maps the pfn.
TEST(do_user_addr_fault_v6_6, retries_a_driver_fault_under_mmap_lock) {
    world w;
    devmem_device device;
    device.base_pfn = reserve_device_range(w.memory, HPAGE_PMD_NR, HPAGE_PMD_NR);
    device.pud_huge = false;
    device.pmd_huge = false;
    device.may_fall_back = false;
    vm_area_struct dev;
    dev.vm_start = PMD_SIZE;
    dev.vm_end = 2 * PMD_SIZE;
    dev.vm_mm = w.mm.get();
    dev.vm_pgoff = 0;
    dev.vm_flags = VM_READ | VM_WRITE | VM_SHARED | VM_PFNMAP;
    dev.vm_ops = &devmem_vm_ops;
    dev.vm_private_data = &device;
    w.mm->vmas.push_back(&dev);
    ASSERT_TRUE(w.run([&] { EXPECT_EQ(do_user_addr_fault(w.mm.get(), PMD_SIZE, 0) & VM_FAULT_SIGBUS, 0u); }));
    EXPECT_TRUE(pte_present(w.pte_at(PMD_SIZE)));
    EXPECT_EQ(w.steps("down_read_trylock (taken)", "vma->vm_lock"), 1);
    EXPECT_EQ(w.steps("up_read", "vma->vm_lock"), 1);
    EXPECT_EQ(w.steps("down_read", "mm->mmap_lock"), 1);
}

// munmap() on the v6.6 path leaves its VMA detached and unlocked, and a later
// fault neither locks it nor maps anything: SIGBUS.
TEST(do_user_addr_fault_v6_6, after_munmap_maps_nothing) {
    world w;
    ASSERT_TRUE(w.run([&] {
        EXPECT_EQ(do_user_addr_fault(w.mm.get(), 0, FAULT_FLAG_WRITE), 0u);
        EXPECT_EQ(vm_munmap(w.mm.get(), 0, PMD_SIZE), 0);
        EXPECT_TRUE(w.anon.detached.read());
        EXPECT_EQ(do_user_addr_fault(w.mm.get(), PAGE_SIZE, FAULT_FLAG_WRITE), VM_FAULT_SIGBUS);
        check_no_mapping_outside_vmas(w.mm.get());
        check_page_tables(w.mm.get());
    }));
}

}  // namespace
