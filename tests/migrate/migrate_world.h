// The single-threaded world the migrate_vma tests share: one mm with one
// private anonymous VMA of two pmds, on its own execution of the native seam,
// and a driver that runs migrate_vma rounds the way a device driver does.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/mm/migrate_device.h"
#include "model/mm/pagemap.h"
#include "model/mm/rmap.h"
#include "tests/common/model_world.h"

namespace migrate_test {

using namespace model_test;

constexpr unsigned nr_pmds = 2;
constexpr unsigned nr_vpages = nr_pmds * HPAGE_PMD_NR;

struct migrate_world : model_world {
    explicit migrate_world(bool hugepage, model_variants v = {}) : model_world(64, v) {
        init_anon_vma(vma, mm.get(), 0, nr_pmds * PMD_SIZE, VM_READ | VM_WRITE | (hugepage ? VM_HUGEPAGE : 0));
        mm->vmas.push_back(&vma);
    }

    // The pfns whose page lock the test thread still holds.
    std::vector<unsigned long> locked_pages() {
        std::vector<unsigned long> held;
        for (auto& p : memory.pages)
            if (kernel::detail::holds(&p->PG_locked)) held.push_back(p->pfn);
        return held;
    }

    vm_area_struct vma;
};

// A driver's migrate_vma round over [start, end): setup, then (unless
// give_dst is false) a locked destination for every MIGRATE entry, pages and
// finalize. Returns src[] as migrate_vma_pages() left it.
struct migrate_round {
    migrate_round(migrate_world& w, unsigned long start, unsigned long end) : migrate_round(w, &w.vma, start, end) {}
    migrate_round(model_world& w, vm_area_struct* vma, unsigned long start, unsigned long end)
        : world(w), src((end - start) / PAGE_SIZE), dst((end - start) / PAGE_SIZE) {
        args.vma = vma;
        args.src = &src;
        args.dst = &dst;
        args.start = start;
        args.end = end;
    }

    int setup() {
        kernel::down_read(&world.mm->mmap_lock);
        const int ret = migrate_vma_setup(&args);
        kernel::up_read(&world.mm->mmap_lock);
        return ret;
    }

    void give_destinations() {
        for (unsigned long i = 0; i < args.npages; ++i) {
            if (!(src[i] & MIGRATE_PFN_MIGRATE)) continue;
            page* newpage = vma_alloc_folio(args.vma, 0);
            lock_page(newpage);
            dst[i] = migrate_pfn(page_to_pfn(newpage));
        }
    }

    void pages_and_finalize() {
        kernel::down_read(&world.mm->mmap_lock);
        migrate_vma_pages(&args);
        migrate_vma_finalize(&args);
        kernel::up_read(&world.mm->mmap_lock);
    }

    void run() {
        if (setup() != 0) return;
        give_destinations();
        pages_and_finalize();
    }

    model_world& world;
    migrate_pfn_array src, dst;
    migrate_vma args;
};

// Runs model code; returns the violation message it reported, or "".
template <class F>
std::string violation_of(migrate_world& w, F&& body) {
    return w.violation_of(body);
}

}  // namespace migrate_test
