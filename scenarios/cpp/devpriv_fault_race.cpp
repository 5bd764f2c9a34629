// devpriv-fault-vs-fault and devpriv-fault-vs-dontneed: a CPU fault on a
// device-private page races another fault on it, or MADV_DONTNEED zapping it
// (16ce101db85d "mm/memory.c: fix race when faulting a device private page",
// v6.1).
//
// Before the threads start, a pte table maps small anonymous pages (the THP
// scenarios' world, scenarios/cpp/s4_anon_world.h) and the HMM test driver
// (model/drivers/dmirror.h, lib/test_hmm.c v6.6) migrates the one at address 0
// to its device-private memory: the pte is a writable device-private entry.
// Thread 0 stores to address 0, faulting until the store succeeds (at most
// three faults); thread 1 loads from it, with one fault, or zaps it with
// MADV_DONTNEED (which puts the device page's last reference at once, as
// zap_pte_range() does for device-private entries). Each fault reaches
// do_swap_page(), which asks the driver (ops->migrate_to_ram(),
// dmirror_devmem_fault()) to migrate the page back with migrate_vma
// (MIGRATE_VMA_SELECT_DEVICE_PRIVATE).
//
// Variants (model/mm/variants.h devpriv_fault):
// - v6.0-no-ref-migrate-to-ram: do_swap_page() calls migrate_to_ram() on the
//   page its lockless pte read named, holding nothing. The other fault's
//   migration, or the zap, can finish meanwhile and put the device page's last
//   reference, which frees it to the driver (dmirror_devmem_free() rewrites
//   page->zone_device_data as its free-list link) while this fault's driver
//   callback reads page->zone_device_data for its mirror: a data-race on the
//   freed page (the kernel's crash: a stale mirror, or a pgmap already gone).
//   Declared `data-race or assertion`: mc and Relacy report the race at the
//   read; real threads (native, no race detection) read the free-list link the
//   free left there, which the driver model refuses to follow as a mirror
//   (assertion, model/drivers/dmirror.cpp).
//   v6.0 has no per-VMA lock, so this variant faults under mmap_lock.
// - v6.6: the pte re-checked under the ptl and a reference taken first; a
//   fault whose reference makes the other's migration fail retries. Must pass.
// finish() checks the table census, refcounts and mapcounts of anonymous and
// device-private pages, that a completed store's address maps a writable
// system page, and that the device page went back to the driver (if the store
// completed or the zap ran).
#include <string>

#include "model/arch/x86/fault.h"
#include "model/arch/x86/hw_access.h"
#include "model/drivers/dmirror.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/mm_check.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"
#include "scenarios/body.h"
#include "scenarios/cpp/s4_anon_world.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace mm;
using s4_world::anon_world;
using s4_world::initial_pmd;

constexpr unsigned long devpriv_address = 0;
constexpr unsigned long devpriv_chunk_pages = 2;
constexpr unsigned store_faults = 3;

enum class devpriv_racer { load, dontneed };

model_variants devpriv_variants_for(const variant_info& variant) {
    model_variants v;
    if (variant.name == "v6.0-no-ref-migrate-to-ram") {
        v.devpriv_fault = device_private_fault::v6_0_no_ref_migrate_to_ram;
        v.fault_entry = user_addr_fault::v5_4_mmap_lock;
    }
    return v;
}

struct devpriv_fault_instance : scenario_instance {
    devpriv_fault_instance(const variant_info& variant, devpriv_racer other)
        : world(devpriv_variants_for(variant), initial_pmd::pte_table), racer(other) {
        mirror.mdevice = &device;
        if (!dmirror_allocate_chunk(world.memory, &device, devpriv_chunk_pages))
            kernel::report_violation(kernel::violation_kind::internal_error, "no room for the device's memory");
        if (dmirror_migrate_to_device(&mirror, world.mm.get(), devpriv_address, devpriv_address + PAGE_SIZE) != 0 ||
            !is_swap_pte(mapped_pte()) || !is_device_private_entry(pte_to_swp_entry(mapped_pte())))
            kernel::report_violation(kernel::violation_kind::internal_error,
                                     "the initial state has no device-private entry at address 0");
    }

    pte_t mapped_pte() {
        page* table = pfn_to_page(world.memory, pmd_pfn(deref(world.pmd)));
        return deref(pte_handle(table, pte_index(devpriv_address)));
    }

    // The store re-executes after every fault, up to store_faults of them. A
    // fault whose migration the load's reference made fail returns 0 and the
    // store faults again; it is a busy retry, not a wait (the kernel re-executes
    // the instruction), so it is bounded here rather than given a retry hint:
    // the hint would wait for news, and the load's put_page() is no news once
    // the store's own put_page() wrote the count after it. Two faults suffice
    // when the load's fault is not running across both.
    void store() {
        mm_struct* mm = world.mm.get();
        for (unsigned faults = 0; hw_access(mm, devpriv_address, true) == hw_access_result::page_fault; ++faults) {
            if (faults == store_faults) return;
            if (do_user_addr_fault(mm, devpriv_address, FAULT_FLAG_WRITE) & (VM_FAULT_SIGBUS | VM_FAULT_OOM)) return;
        }
        stored = true;
    }

    // The load faults once and tries once more.
    void load() {
        mm_struct* mm = world.mm.get();
        if (hw_access(mm, devpriv_address, false) == hw_access_result::done) return;
        do_user_addr_fault(mm, devpriv_address, 0);
        hw_access(mm, devpriv_address, false);
    }

    // MADV_DONTNEED of the device-private page's address.
    void dontneed() {
        mm_struct* mm = world.mm.get();
        kernel::down_read(&mm->mmap_lock);
        madvise_dontneed_single_vma(&world.vma, devpriv_address, devpriv_address + PAGE_SIZE);
        kernel::up_read(&mm->mmap_lock);
        zapped = true;
    }

    void run_thread(int index) override {
        if (index == 0) store();
        else if (racer == devpriv_racer::load) load();
        else dontneed();
    }

    void finish() override {
        check_page_tables(world.mm.get());
        check_anon_accounting(world.mm.get());
        const pte_t pte = mapped_pte();
        // A zap after the store may have unmapped its page.
        if (stored && !(pte_none(pte) && zapped) &&
            !(pte_present(pte) && pte_write(pte) && pfn_to_page(world.memory, pte_pfn(pte))->use == page_use::anon))
            kernel::report_violation(kernel::violation_kind::accounting,
                                     "the store completed but address 0 maps no writable system page");
        if ((stored || zapped) && dmirror_free_page_count(&device) != devpriv_chunk_pages)
            kernel::report_violation(kernel::violation_kind::accounting,
                                     "the device page was migrated back but never freed to the driver");
    }

    anon_world world;
    dmirror_device device;
    dmirror mirror;
    devpriv_racer racer;
    bool stored = false;
    bool zapped = false;
};

template <devpriv_racer other>
std::unique_ptr<scenario_instance> make_devpriv_fault(const variant_info& v) {
    return std::make_unique<devpriv_fault_instance>(v, other);
}

scenario_info devpriv_fault_info(const char* name, const char* summary) {
    scenario_info info;
    info.name = name;
    info.summary = summary;
    info.source = "16ce101db85d (mm/memory.c: fix race when faulting a device private page, v6.1); lib/test_hmm.c v6.6";
    info.threads = 2;
    info.variants = {
        {"v6.0-no-ref-migrate-to-ram",
         "v6.0 do_swap_page(): migrate_to_ram() with no reference; the page is freed under the driver's callback "
         "(data-race on zone_device_data where races are detected; the driver following the free-list link: assertion)",
         {violation_kind::data_race, violation_kind::assertion}},
        {"v6.6", "16ce101db85d (v6.1) as in v6.6: pte_same() re-check and get_page() under the ptl", std::nullopt},
    };
    return info;
}

const scenario_registration devpriv_fault_scenario{
    devpriv_fault_info("devpriv-fault-vs-fault",
                       "a store and a load fault on one device-private page: both ask the driver to migrate it back"),
    make_devpriv_fault<devpriv_racer::load>};

const scenario_registration devpriv_dontneed_scenario{
    devpriv_fault_info("devpriv-fault-vs-dontneed",
                       "a store faults on a device-private page while MADV_DONTNEED zaps it and frees the page"),
    make_devpriv_fault<devpriv_racer::dontneed>};

}  // namespace

MMCHECK_ENGINE_END
