// See dmirror.h: lib/test_hmm.c v6.6, the device-private half.
#include "model/drivers/dmirror.h"

#include <cerrno>

#include "model/mm/fork.h"
#include "model/mm/memory.h"
#include "model/mm/pagemap.h"
#include "model/mm/rmap.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// dmirror_page_to_device() — lib/test_hmm.c v6.6: the chunk's device, which
// is also the pgmap's owner (the model has one chunk per device).
dmirror_device* dmirror_page_to_device(page* page) { return static_cast<dmirror_device*>(page->pgmap->owner); }

// dmirror_devmem_alloc_page() — lib/test_hmm.c v6.6: a free device page,
// refcount 1 and locked (zone_device_page_init()); nullptr when none is left.
page* dmirror_devmem_alloc_page(dmirror* dmirror) {
    dmirror_device* mdevice = dmirror->mdevice;
    spin_lock(&mdevice->lock);
    page* dpage = mdevice->free_pages.read();
    if (!dpage) {
        spin_unlock(&mdevice->lock);
        return nullptr;  // the model's device allocates no more chunks
    }
    mdevice->free_pages.write(static_cast<page*>(dpage->zone_device_data.read()));
    mdevice->calloc.write(mdevice->calloc.read() + 1);
    spin_unlock(&mdevice->lock);
    zone_device_page_init(dpage);
    dpage->zone_device_data.write(dmirror);  // rpage->zone_device_data = dmirror
    return dpage;
}

// dmirror_devmem_free() — lib/test_hmm.c v6.6 (ops->page_free): the page's
// last reference went; zone_device_data becomes the free-list link.
void dmirror_devmem_free(page* page) {
    dmirror_device* mdevice = dmirror_page_to_device(page);
    spin_lock(&mdevice->lock);
    mdevice->cfree.write(mdevice->cfree.read() + 1);
    page->zone_device_data.write(mdevice->free_pages.read());
    mdevice->free_pages.write(page);
    spin_unlock(&mdevice->lock);
}

// dmirror_migrate_alloc_and_copy() — lib/test_hmm.c v6.6: a locked device
// page for every entry collect marked MIGRATE (the copy is left out).
void dmirror_migrate_alloc_and_copy(migrate_vma* args, dmirror* dmirror) {
    mem_map& memory = args->vma->vm_mm->memory;
    for (unsigned long i = 0; i < args->npages; ++i) {
        const unsigned long src = (*args->src)[i];
        if (!(src & MIGRATE_PFN_MIGRATE)) continue;
        page* spage = migrate_pfn_to_page(memory, src);
        // Don't migrate device private pages from our own driver or others.
        if (spage && is_zone_device_page(spage)) continue;
        page* dpage = dmirror_devmem_alloc_page(dmirror);
        if (!dpage) continue;
        unsigned long dst = migrate_pfn(page_to_pfn(dpage));
        if ((src & MIGRATE_PFN_WRITE) || (!spage && (args->vma->vm_flags & VM_WRITE))) dst |= MIGRATE_PFN_WRITE;
        (*args->dst)[i] = dst;
    }
}

// dmirror_devmem_fault_alloc_and_copy() — lib/test_hmm.c v6.6: a locked
// system page for the device page collect took (the copy is left out).
vm_fault_t dmirror_devmem_fault_alloc_and_copy(migrate_vma* args) {
    mem_map& memory = args->vma->vm_mm->memory;
    for (unsigned long i = 0; i < args->npages; ++i) {
        const unsigned long src = (*args->src)[i];
        page* spage = migrate_pfn_to_page(memory, src);
        if (!spage || !(src & MIGRATE_PFN_MIGRATE)) continue;
        VM_BUG_ON(!is_device_private_page(spage), "WARN_ON(!is_device_private_page(spage))");
        page* dpage = vma_alloc_folio(args->vma, 0);  // alloc_page_vma()
        if (!dpage) continue;
        lock_page(dpage);
        unsigned long dst = migrate_pfn(page_to_pfn(dpage));
        if (src & MIGRATE_PFN_WRITE) dst |= MIGRATE_PFN_WRITE;
        (*args->dst)[i] = dst;
    }
    return 0;
}

// Whether a device page's zone_device_data is what dmirror_devmem_free() left
// there (the next free page of the pgmap, or none) rather than a mirror. On a
// page freed under migrate_to_ram() (the v6.0 fault) the kernel follows the
// link as a mirror; mc and Relacy report the data-race at the read first, and
// on real threads, which see no race, the model stops here instead.
bool holds_free_list_link(mem_map& memory, page* page, void* data) {
    if (!data) return true;
    const dev_pagemap* pgmap = page->pgmap;
    for (unsigned long i = 0; i < pgmap->nr_range; ++i)
        if (data == pfn_to_page(memory, pgmap->range_start_pfn + i)) return true;
    return false;
}

// dmirror_devmem_fault() — lib/test_hmm.c v6.6 (ops->migrate_to_ram): migrate
// the faulting page back. v6.0's driver (the devpriv_fault variant
// v6_0_no_ref_migrate_to_ram) passes no fault_page, which 16ce101db85d added.
vm_fault_t dmirror_devmem_fault(vm_fault* vmf) {
    // The page's mirror; test_hmm.c reaches it through the backing page.
    void* data = vmf->page->zone_device_data.read();
    if (holds_free_list_link(vmf->vma->vm_mm->memory, vmf->page, data))
        report_violation(violation_kind::assertion,
                         "migrate_to_ram() on a device page freed under it: zone_device_data is the driver's "
                         "free-list link, not the mirror (use after free)");
    auto* dmirror = static_cast<struct dmirror*>(data);
    migrate_pfn_array src(1), dst(1);
    migrate_vma args;
    args.vma = vmf->vma;
    args.start = vmf->address;
    args.end = args.start + PAGE_SIZE;
    args.src = &src;
    args.dst = &dst;
    args.pgmap_owner = dmirror->mdevice;
    args.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE;  // dmirror_select_device()
    if (vmf->vma->vm_mm->variants.devpriv_fault == device_private_fault::fixed_16ce101db85d)
        args.fault_page = vmf->page;
    if (migrate_vma_setup(&args)) return VM_FAULT_SIGBUS;
    const vm_fault_t ret = dmirror_devmem_fault_alloc_and_copy(&args);
    if (ret) return ret;
    migrate_vma_pages(&args);
    // No device finalize step is needed since
    // dmirror_devmem_fault_alloc_and_copy() will have already invalidated the
    // device page table.
    migrate_vma_finalize(&args);
    return 0;
}

const dev_pagemap_ops dmirror_devmem_ops{
    .page_free = dmirror_devmem_free,
    .migrate_to_ram = dmirror_devmem_fault,
};

}  // namespace

// dmirror_allocate_chunk() — lib/test_hmm.c v6.6 (one chunk, no resizing).
bool dmirror_allocate_chunk(mem_map& memory, dmirror_device* mdevice, unsigned long nr_pages) {
    mdevice->pagemap.type = memory_type::MEMORY_DEVICE_PRIVATE;
    mdevice->pagemap.ops = &dmirror_devmem_ops;
    mdevice->pagemap.owner = mdevice;
    mdevice->pagemap.nr_range = nr_pages;
    if (!memremap_pages(memory, &mdevice->pagemap)) return false;
    spin_lock(&mdevice->lock);
    for (unsigned long pfn = mdevice->pagemap.range_start_pfn + nr_pages; pfn-- > mdevice->pagemap.range_start_pfn;) {
        page* page = pfn_to_page(memory, pfn);
        page->zone_device_data.write(mdevice->free_pages.read());
        mdevice->free_pages.write(page);
    }
    spin_unlock(&mdevice->lock);
    return true;
}

// dmirror_migrate_to_device() — lib/test_hmm.c v6.6, one VMA, at most
// 4 pages (the model's pmd) per call; the device mapping
// (dmirror_migrate_finalize_and_map()) is left out.
int dmirror_migrate_to_device(dmirror* dmirror, mm_struct* mm, unsigned long start, unsigned long end) {
    // Since the mm is for the mirrored process, get a reference first.
    if (!mmget_not_zero(mm)) return -EINVAL;
    down_read(&mm->mmap_lock);  // mmap_read_lock()
    vm_area_struct* vma = find_vma(mm, start);
    int ret = -EINVAL;
    if (vma && vma->vm_start <= start && end <= vma->vm_end) {
        migrate_pfn_array src((end - start) >> PAGE_SHIFT), dst((end - start) >> PAGE_SHIFT);
        migrate_vma args;
        args.vma = vma;
        args.start = start;
        args.end = end;
        args.src = &src;
        args.dst = &dst;
        args.pgmap_owner = dmirror->mdevice;
        args.flags = MIGRATE_VMA_SELECT_SYSTEM;
        ret = migrate_vma_setup(&args);
        if (!ret) {
            dmirror_migrate_alloc_and_copy(&args, dmirror);
            migrate_vma_pages(&args);
            migrate_vma_finalize(&args);
        }
    }
    up_read(&mm->mmap_lock);
    mmput(mm);
    return ret;
}

unsigned long dmirror_free_page_count(dmirror_device* mdevice) {
    spin_lock(&mdevice->lock);
    unsigned long n = 0;
    for (page* p = mdevice->free_pages.read(); p; p = static_cast<page*>(p->zone_device_data.read())) ++n;
    spin_unlock(&mdevice->lock);
    return n;
}

}  // namespace mm
MMCHECK_ENGINE_END
