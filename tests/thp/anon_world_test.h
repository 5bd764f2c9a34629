// The fixture the single-threaded THP tests share: one execution on the native
// build of the seam and s4_world's anon_world (one THP-enabled anonymous VMA of
// one pmd), model code run with violations turned into test failures, and the
// end-of-run censuses.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "model/kernel/detail/execution.h"
#include "model/mm/mm_check.h"
#include "scenarios/cpp/s4_anon_world.h"

namespace thp_test {

using namespace mmcheck;
using namespace mmcheck::mm;
using s4_world::anon_world;
using s4_world::initial_pmd;

class anon_world_test : public ::testing::Test {
protected:
    // Builds the world; a fixture calls it from its constructor or its test.
    void start(initial_pmd initial) {
        exec.reset(1, false);
        kernel::detail::current_execution() = &exec;
        world = std::make_unique<anon_world>(variants, initial);
    }
    ~anon_world_test() override {
        world.reset();
        kernel::detail::current_execution() = nullptr;
    }

    template <class F>
    void run(F&& body) {
        try {
            body();
        } catch (const kernel::backend::execution_aborted&) {
            FAIL() << "model violation: " << exec.violation->message;
        }
    }
    void under_mmap_read(auto&& body) {
        run([&] {
            kernel::down_read(&world->mm->mmap_lock);
            body();
            kernel::up_read(&world->mm->mmap_lock);
        });
    }

    pmd_t pmd() { return deref(world->pmd); }
    pte_t pte(unsigned i) { return deref(pte_offset_map(world->pmd, i * PAGE_SIZE)); }
    long nr_pte_tables() { return kernel::atomic_long_read(world->mm->pgtables_bytes) / long(PTRS_PER_PTE * sizeof(pte_t)); }
    void check_censuses() {
        run([&] {
            check_page_tables(world->mm.get());
            check_anon_accounting(world->mm.get());
        });
        EXPECT_FALSE(exec.violation.has_value());
    }

    kernel::detail::execution exec;
    model_variants variants;
    std::unique_ptr<anon_world> world;
};

}  // namespace thp_test
