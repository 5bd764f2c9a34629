// mm->mm_users single threaded (model/mm/fork.cpp, v6.6): mmget() and
// mmget_not_zero() add users, the last mmput() tears the address space down
// (exit_mmap()), and after that mmget_not_zero() fails; the paths that hold an
// mm they do not own see it: a driver's mirror fault takes a reference and
// drops it (model/drivers/mirror.cpp) and fails on an exited mm, and
// khugepaged's revalidation answers SCAN_ANY_PROCESS.
#include <gtest/gtest.h>

#include "model/arch/x86/fault.h"
#include "model/drivers/mirror.h"
#include "model/mm/fork.h"
#include "model/mm/khugepaged.h"
#include "model/mm/mm_check.h"
#include "tests/common/model_world.h"

namespace {

using namespace mmcheck;
using namespace mmcheck::mm;

struct users_world : model_test::model_world {
    users_world() : model_world(48) {
        model_test::init_anon_vma(vma, mm.get(), 0, PMD_SIZE, VM_READ | VM_WRITE | VM_HUGEPAGE);
        mm->vmas.push_back(&vma);
    }
    long users() { return kernel::atomic_read(mm->mm_users); }
    long pgtables() { return kernel::atomic_long_read(mm->pgtables_bytes); }
    vm_area_struct vma;
};

TEST(mm_users, TheLastMmputTearsTheAddressSpaceDown) {
    users_world w;
    ASSERT_TRUE(w.run([&] { do_user_addr_fault(w.mm.get(), 0, FAULT_FLAG_WRITE | FAULT_FLAG_USER); }));
    ASSERT_TRUE(w.translate(0).mapped);
    EXPECT_EQ(w.users(), 1);
    ASSERT_TRUE(w.run([&] { mmget(w.mm.get()); }));
    EXPECT_EQ(w.users(), 2);
    ASSERT_TRUE(w.run([&] { mmput(w.mm.get()); }));
    EXPECT_EQ(w.users(), 1);
    EXPECT_TRUE(w.translate(0).mapped);  // not the last user: nothing torn down
    ASSERT_TRUE(w.run([&] { mmput(w.mm.get()); }));
    EXPECT_EQ(w.users(), 0);
    EXPECT_FALSE(w.translate(0).mapped);  // exit_mmap()
    EXPECT_EQ(w.pgtables(), 0);
    bool got = true;
    ASSERT_TRUE(w.run([&] { got = mmget_not_zero(w.mm.get()); }));
    EXPECT_FALSE(got);
    EXPECT_EQ(w.users(), 0);
}

TEST(mm_users, AMirrorFaultHoldsAReferenceOnlyWhileItRuns) {
    users_world w;
    mirror m(w.mm.get(), 0, false);
    ASSERT_TRUE(w.run([&] { mirror_register(&m); }));
    int ret = -1;
    ASSERT_TRUE(w.run([&] { ret = mirror_fault(&m, 0, true); }));
    EXPECT_EQ(ret, 0);
    EXPECT_EQ(w.users(), 1);
    EXPECT_TRUE(w.translate(0).mapped);
    ASSERT_TRUE(w.run([&] { mmput(w.mm.get()); }));  // the process exits
    ASSERT_TRUE(w.run([&] { ret = mirror_fault(&m, PAGE_SIZE, true); }));
    EXPECT_EQ(ret, -EFAULT);
    EXPECT_FALSE(w.translate(PAGE_SIZE).mapped);
}

TEST(mm_users, KhugepagedLeavesAnExitedMmAlone) {
    users_world w;
    ASSERT_TRUE(w.run([&] {
        for (unsigned long a = 0; a < PMD_SIZE; a += PAGE_SIZE)
            do_user_addr_fault(w.mm.get(), a, FAULT_FLAG_WRITE | FAULT_FLAG_USER);
    }));
    kernel::atomic_set(w.mm->mm_users, 0);  // as if the last mmput() were under way
    scan_result result = scan_result::SCAN_SUCCEED;
    ASSERT_TRUE(w.run([&] {
        kernel::down_read(&w.mm->mmap_lock);
        result = collapse_huge_page(w.mm.get(), 0);  // returns with mmap_lock released
    }));
    EXPECT_EQ(result, scan_result::SCAN_ANY_PROCESS);
}

}  // namespace
