// The HMM test driver's device-private memory (lib/test_hmm.c v6.6): a
// dmirror_device owns one MEMORY_DEVICE_PRIVATE pgmap (model/mm/memremap.h),
// hands its pages out from a free list under its lock, migrates anonymous
// pages of a VMA to them with migrate_vma (dmirror_migrate_to_device()), and
// migrates them back when the CPU faults (ops->migrate_to_ram,
// dmirror_devmem_fault()).
//
// Simplifications, stated once here: test_hmm.c backs each device page with a
// system page (BACKING_PAGE(), "rpage") holding the data and, in its
// zone_device_data, the dmirror; the model has no page contents, so there is
// no backing page and a device page's zone_device_data points to its dmirror
// directly (as test_hmm.c says a real device would). The device's own page
// table (dmirror->pt) and its mmu interval notifier are left out; a device
// allocates its memory once (dmirror_allocate_chunk() at init, no more chunks).
#pragma once

#include "model/mm/memremap.h"
#include "model/mm/migrate_device.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

struct dmirror_device {
    dev_pagemap pagemap;  // MEMORY_DEVICE_PRIVATE, owner = this device
    kernel::spinlock_t lock{{"mdevice->lock"}};
    kernel::plain<page*> free_pages{nullptr, {"mdevice->free_pages"}};  // under lock
    kernel::plain<unsigned long> calloc{0, {"mdevice->calloc"}};
    kernel::plain<unsigned long> cfree{0, {"mdevice->cfree"}};
};

struct dmirror {
    dmirror_device* mdevice = nullptr;
};

// dmirror_allocate_chunk() — lib/test_hmm.c v6.6, at device init: memremap
// nr_pages of device-private memory and put every page on the free list.
// False when the model's memory has no room.
bool dmirror_allocate_chunk(mem_map& memory, dmirror_device* mdevice, unsigned long nr_pages);

// dmirror_migrate_to_device() — lib/test_hmm.c v6.6 (HMM_DMIRROR_MIGRATE_TO_DEV):
// migrate [start, end) of mm's anonymous VMA to device pages, under
// mmap_lock for read. Returns 0 or a negative errno.
int dmirror_migrate_to_device(dmirror* dmirror, mm_struct* mm, unsigned long start, unsigned long end);

// The free pages of the device (walks the free list; for end-of-run checks).
unsigned long dmirror_free_page_count(dmirror_device* mdevice);

}  // namespace mm
MMCHECK_ENGINE_END
