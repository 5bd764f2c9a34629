// Device-private memory, single threaded (model/mm/memremap.h, the HMM test
// driver model/drivers/dmirror.h): migrate_vma moves an anonymous page to a
// device page mapped by a device-private entry; a CPU fault migrates it back
// (do_swap_page() -> ops->migrate_to_ram()) and the device page returns to the
// driver at refcount 0; a zap drops the entry's mapping and reference;
// hmm_range_fault() reports the device pfn to its owner and faults it back
// for anyone else. Counts are pinned exactly.
#include <gtest/gtest.h>

#include "model/arch/x86/fault.h"
#include "model/drivers/dmirror.h"
#include "model/drivers/mirror.h"
#include "model/mm/hmm.h"
#include "model/mm/memory.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/mm_check.h"
#include "tests/migrate/migrate_world.h"

namespace {

using namespace migrate_test;

constexpr unsigned long chunk_pages = 2;

struct device_world {
    explicit device_world(model_variants v = {}) : w(false, v) {
        mirror_data.mdevice = &device;
        EXPECT_TRUE(dmirror_allocate_chunk(w.memory, &device, chunk_pages));
    }

    void fault(unsigned long addr, bool write) {
        ASSERT_EQ(violation_of(w, [&] { do_user_addr_fault(w.mm.get(), addr, write ? FAULT_FLAG_WRITE : 0); }), "");
    }

    // A written anonymous page at addr, migrated to the device; returns its
    // former pfn.
    unsigned long page_on_device(unsigned long addr) {
        fault(addr, true);
        const unsigned long system_pfn = w.translate(addr).pfn;
        int ret = -1;
        EXPECT_EQ(violation_of(w, [&] { ret = dmirror_migrate_to_device(&mirror_data, w.mm.get(), addr, addr + PAGE_SIZE); }),
                  "");
        EXPECT_EQ(ret, 0);
        return system_pfn;
    }

    // The device-private entry at addr (val 0 when it is none).
    swp_entry_t device_entry(unsigned long addr) {
        const pte_t pte = w.pte_at(addr);
        if (!is_swap_pte(pte) || !is_device_private_entry(pte_to_swp_entry(pte))) return {};
        return pte_to_swp_entry(pte);
    }

    unsigned long free_device_pages() {
        unsigned long n = 0;
        EXPECT_EQ(violation_of(w, [&] { n = dmirror_free_page_count(&device); }), "");
        return n;
    }

    void expect_clean() {
        EXPECT_EQ(violation_of(w, [&] {
                      check_page_tables(w.mm.get());
                      check_anon_accounting(w.mm.get());
                  }),
                  "");
        EXPECT_TRUE(w.locked_pages().empty());
    }

    migrate_world w;
    dmirror_device device;
    dmirror mirror_data;
};

TEST(DevicePrivate, MigrateVmaMapsTheDevicePageByADevicePrivateEntry) {
    device_world d;
    const unsigned long system_pfn = d.page_on_device(0);
    const swp_entry_t entry = d.device_entry(0);
    ASSERT_NE(entry.val, 0u) << "the pte is not a device-private entry";
    EXPECT_TRUE(is_writable_device_private_entry(entry)) << "a written page stays writable on the device";
    page* dpage = d.w.page_at(swp_offset_pfn(entry));
    EXPECT_TRUE(is_device_private_page(dpage));
    EXPECT_EQ(dpage->pgmap, &d.device.pagemap);
    EXPECT_EQ(page_count(dpage), 1) << "the entry's reference only";
    EXPECT_EQ(page_mapcount(dpage), 1);
    EXPECT_EQ(d.w.page_at(system_pfn)->use, page_use::free) << "the system page was freed";
    EXPECT_EQ(d.free_device_pages(), chunk_pages - 1);
    EXPECT_EQ(d.device.calloc.read(), 1u);
    d.expect_clean();
}

TEST(DevicePrivate, ACpuFaultMigratesThePageBackAndFreesTheDevicePage) {
    device_world d;
    d.page_on_device(PAGE_SIZE);
    page* dpage = d.w.page_at(swp_offset_pfn(d.device_entry(PAGE_SIZE)));
    d.fault(PAGE_SIZE, false);  // a load is enough: migrate_to_ram() either way
    const translation t = d.w.translate(PAGE_SIZE);
    ASSERT_TRUE(t.mapped) << "the fault did not bring the page back";
    EXPECT_TRUE(t.writable) << "the writable device-private entry gave a writable migration entry";
    page* back = d.w.page_at(t.pfn);
    EXPECT_EQ(back->use, page_use::anon);
    EXPECT_EQ(back->index, 1u) << "the page keeps its index (folio_migrate_mapping())";
    EXPECT_EQ(page_count(back), 1);
    EXPECT_EQ(page_mapcount(back), 1);
    EXPECT_EQ(page_count(dpage), 0) << "free: the driver's again";
    EXPECT_EQ(page_mapcount(dpage), 0);
    EXPECT_EQ(d.free_device_pages(), chunk_pages);
    EXPECT_EQ(d.device.cfree.read(), 1u);
    d.expect_clean();
}

TEST(DevicePrivate, TheV6_0FaultMigratesBackTooWhenAlone) {
    model_variants v;
    v.devpriv_fault = device_private_fault::v6_0_no_ref_migrate_to_ram;
    v.fault_entry = user_addr_fault::v5_4_mmap_lock;
    device_world d(v);
    d.page_on_device(0);
    d.fault(0, true);
    EXPECT_TRUE(d.w.translate(0).mapped && d.w.translate(0).writable);
    EXPECT_EQ(d.free_device_pages(), chunk_pages);
    d.expect_clean();
}

TEST(DevicePrivate, MadviseDontneedDropsTheEntryAndFreesTheDevicePage) {
    device_world d;
    d.page_on_device(0);
    d.fault(PAGE_SIZE, true);  // a neighbour that stays
    page* dpage = d.w.page_at(swp_offset_pfn(d.device_entry(0)));
    ASSERT_EQ(violation_of(d.w, [&] {
                  kernel::down_read(&d.w.mm->mmap_lock);
                  madvise_dontneed_single_vma(&d.w.vma, 0, PAGE_SIZE);
                  kernel::up_read(&d.w.mm->mmap_lock);
              }),
              "");
    EXPECT_TRUE(pte_none(d.w.pte_at(0)));
    EXPECT_EQ(page_count(dpage), 0);
    EXPECT_EQ(page_mapcount(dpage), 0);
    EXPECT_EQ(d.free_device_pages(), chunk_pages);
    EXPECT_TRUE(d.w.translate(PAGE_SIZE).mapped);
    d.expect_clean();
}

TEST(DevicePrivate, ZapPageRangeDropsTheEntryAndFreesTheDevicePage) {
    device_world d;
    d.page_on_device(2 * PAGE_SIZE);
    page* dpage = d.w.page_at(swp_offset_pfn(d.device_entry(2 * PAGE_SIZE)));
    ASSERT_EQ(violation_of(d.w, [&] { zap_page_range(&d.w.vma, 0, PMD_SIZE); }), "");
    EXPECT_TRUE(pte_none(d.w.pte_at(2 * PAGE_SIZE)));
    EXPECT_EQ(page_count(dpage), 0);
    EXPECT_EQ(page_mapcount(dpage), 0);
    EXPECT_EQ(d.free_device_pages(), chunk_pages);
    d.expect_clean();
}

// hmm_range_fault() over [0, MIRROR_PAGES) with page 1 on the device.
struct hmm_device_world : device_world {
    hmm_device_world() : dev(w.mm.get(), 0, false) {
        mirror_register(&dev);
        fault(0, true);
        page_on_device(PAGE_SIZE);
        device_pfn = swp_offset_pfn(device_entry(PAGE_SIZE));
    }

    int range_fault(void* owner, unsigned long (&pfns)[MIRROR_PAGES]) {
        hmm_range range;
        range.notifier = &dev.notifier;
        range.notifier_seq = mmu_interval_read_begin(&dev.notifier);
        range.start = 0;
        range.end = 2 * PAGE_SIZE;
        range.hmm_pfns = pfns;
        range.default_flags = HMM_PFN_REQ_FAULT;
        range.dev_private_owner = owner;
        int ret = 0;
        EXPECT_EQ(violation_of(w,
                               [&] {
                                   kernel::down_read(&w.mm->mmap_lock);
                                   ret = hmm_range_fault(&range);
                                   kernel::up_read(&w.mm->mmap_lock);
                               }),
                  "");
        return ret;
    }

    mirror dev;
    unsigned long device_pfn = 0;
};

TEST(DevicePrivate, HmmRangeFaultReportsTheDevicePfnToItsOwner) {
    hmm_device_world h;
    unsigned long pfns[MIRROR_PAGES] = {};
    EXPECT_EQ(h.range_fault(&h.device, pfns), 0);
    EXPECT_EQ(hmm_pfn_to_pfn(pfns[1]), h.device_pfn);
    EXPECT_EQ(pfns[1] & (HMM_PFN_VALID | HMM_PFN_WRITE), HMM_PFN_VALID | HMM_PFN_WRITE);
    EXPECT_EQ(hmm_pfn_to_pfn(pfns[0]), h.w.translate(0).pfn);
    EXPECT_NE(h.device_entry(PAGE_SIZE).val, 0u) << "the owner's snapshot faults nothing back";
    EXPECT_EQ(h.free_device_pages(), chunk_pages - 1);
    h.expect_clean();
}

TEST(DevicePrivate, HmmRangeFaultOfAnotherOwnerMigratesThePageBack) {
    hmm_device_world h;
    unsigned long pfns[MIRROR_PAGES] = {};
    int other_owner = 0;
    int ret = h.range_fault(&other_owner, pfns);
    if (ret == -EBUSY) ret = h.range_fault(&other_owner, pfns);  // the migration's invalidation moved the sequence
    EXPECT_EQ(ret, 0);
    const translation t = h.w.translate(PAGE_SIZE);
    ASSERT_TRUE(t.mapped);
    EXPECT_EQ(hmm_pfn_to_pfn(pfns[1]), t.pfn);
    EXPECT_NE(t.pfn, h.device_pfn);
    EXPECT_EQ(h.free_device_pages(), chunk_pages);
    h.expect_clean();
}

}  // namespace
