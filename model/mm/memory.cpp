// Fault handling and page-table allocation: mm/memory.c and include/linux/mm.h.
// Each function names the kernel version it follows; __handle_mm_fault()'s pud
// level is a variant (model/mm/variants.h).
#include "model/mm/memory.h"

#include "model/mm/huge_memory.h"
#include "model/mm/memremap.h"
#include "model/mm/migrate.h"
#include "model/mm/mmap.h"
#include "model/mm/numa.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"
#include "model/mm/vma_lock.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

vm_area_struct* find_vma(mm_struct* mm, unsigned long addr) {
    for (vm_area_struct* vma : mm->vmas)
        if (addr < vma->vm_end) return vma;
    return nullptr;
}

// __pud_alloc() — mm/memory.c v5.4 (p4d folded: populates the pgd entry).
static int __pud_alloc(mm_struct* mm, pgdp_t pgd, unsigned long) {
    page* new_table = alloc_pages(mm->memory, page_use::pud_table);
    if (!new_table) return -1;
    smp_wmb(); /* See comment in __pte_alloc */
    spin_lock(&mm->page_table_lock);
    if (pgd_val(deref(pgd)) != 0) /* Another has populated it */
        __free_pages(new_table);
    else
        pgd_populate(mm, pgd, new_table);
    spin_unlock(&mm->page_table_lock);
    return 0;
}

// pud_alloc() — include/linux/mm.h v5.4, with p4d folded into the pgd.
pudp_t pud_alloc(mm_struct* mm, pgdp_t pgd, unsigned long address) {
    if (pgd_val(deref(pgd)) == 0 && __pud_alloc(mm, pgd, address)) return {};
    return pud_offset(pgd, address);
}

// __pmd_alloc() — mm/memory.c v5.4.
static int __pmd_alloc(mm_struct* mm, pudp_t pud, unsigned long address) {
    page* new_table = pmd_alloc_one(mm, address);
    if (!new_table) return -1;
    smp_wmb(); /* See comment in __pte_alloc */
    spinlock_t* ptl = pud_lock(mm, pud);
    if (!pud_present(deref(pud))) {
        mm_inc_nr_pmds(mm);
        pud_populate(mm, pud, new_table);
    } else { /* Another has populated it */
        pmd_free(mm, new_table);
    }
    spin_unlock(ptl);
    return 0;
}

// pmd_alloc() — include/linux/mm.h v5.4: pmd_offset() of whatever *pud is unless it
// is none. `oom` stands for the NULL return.
pmdp_t pmd_alloc(mm_struct* mm, pudp_t pud, unsigned long address, bool* oom) {
    *oom = false;
    if (pud_none(deref(pud)) && __pmd_alloc(mm, pud, address)) {
        *oom = true;
        return {};
    }
    return pmd_offset(pud, address);
}

// pmd_install() — mm/memory.c v6.6 (factored out of __pte_alloc() by
// 03c4f20454e0, v5.16): populate under the pmd lock unless another thread did;
// *pte is cleared when the table was used. v5.4 issued the smp_wmb() before
// taking the lock (ed33b5a677da moved it); under the model's sequentially
// consistent engines the two places are the same.
void pmd_install(mm_struct* mm, pmdp_t pmd, page** pte) {
    spinlock_t* ptl = pmd_lock(mm, pmd);
    if (pmd_none(deref(pmd))) { /* Has another populated it ? */
        mm_inc_nr_ptes(mm);
        // Ensure all pte setup (eg. pte page lock and page clearing) are visible
        // before the pte is made visible to other CPUs by being put into page tables.
        smp_wmb();
        pmd_populate(mm, pmd, *pte);
        *pte = nullptr;
    }
    spin_unlock(ptl);
}

// __pte_alloc() — mm/memory.c v6.6.
static int __pte_alloc(mm_struct* mm, pmdp_t pmd) {
    page* new_table = pte_alloc_one(mm);
    if (!new_table) return -1;  // -ENOMEM
    pmd_install(mm, pmd, &new_table);
    if (new_table) pte_free(mm, new_table);
    return 0;
}

// pte_alloc() — include/linux/mm.h v5.4.
bool pte_alloc(mm_struct* mm, pmdp_t pmd) { return pmd_none(deref(pmd)) && __pte_alloc(mm, pmd); }

// pte_alloc_map_lock() — include/linux/mm.h v5.4.
ptep_t pte_alloc_map_lock(mm_struct* mm, pmdp_t pmd, unsigned long address, spinlock_t** ptlp, bool* oom) {
    *oom = pte_alloc(mm, pmd);
    if (*oom) return {};
    return pte_offset_map_lock(mm, pmd, address, ptlp);
}

// pud_trans_unstable() — include/asm-generic/pgtable.h, added by 625110b5e9da (v5.5).
bool pud_trans_unstable(pudp_t pud) {
    const pud_t pudval = pudp_get(pud);  // READ_ONCE(*pud)
    if (pud_none(pudval) || pud_trans_huge(pudval) || pud_devmap(pudval)) return true;
    if (pud_bad(pudval)) report_violation(violation_kind::assertion, "pud_bad() in pud_trans_unstable: pud_clear_bad");
    return false;
}

// pmd_none_or_trans_huge_or_clear_bad() as pmd_trans_unstable() — v5.4, with
// CONFIG_ARCH_ENABLE_THP_MIGRATION (a non-present, non-none pmd is unstable).
bool pmd_trans_unstable(pmdp_t pmd) {
    const pmd_t pmdval = pmdp_get(pmd);  // pmd_read_atomic(): one 64-bit read on x86-64
    barrier();
    if (pmd_none(pmdval) || pmd_trans_huge(pmdval) || !pmd_present(pmdval)) return true;
    if (pmd_bad(pmdval)) report_violation(violation_kind::assertion, "pmd_bad() in pmd_trans_unstable: pmd_clear_bad");
    return false;
}

// pmd_devmap_trans_unstable() — mm/memory.c v5.4.
bool pmd_devmap_trans_unstable(pmdp_t pmd) { return pmd_devmap(deref(pmd)) || pmd_trans_unstable(pmd); }

// __get_locked_pte() — mm/memory.c v5.4 (p4d folded).
static ptep_t __get_locked_pte(mm_struct* mm, unsigned long addr, spinlock_t** ptl) {
    const pgdp_t pgd = pgd_offset(mm, addr);
    const pudp_t pud = pud_alloc(mm, pgd, addr);
    if (!pud.table) return {};
    bool oom = false;
    const pmdp_t pmd = pmd_alloc(mm, pud, addr, &oom);
    if (oom) return {};
    VM_BUG_ON(pmd_trans_huge(deref(pmd)), "VM_BUG_ON(pmd_trans_huge(*pmd)) in __get_locked_pte");
    return pte_alloc_map_lock(mm, pmd, addr, ptl, &oom);
}

// insert_pfn() — mm/memory.c v5.4, without mkwrite (vmf_insert_pfn passes false)
// and with a plain PFN (not devmap): the entry is made special.
static vm_fault_t insert_pfn(vm_area_struct* vma, unsigned long addr, unsigned long pfn, pgprot_t prot) {
    mm_struct* mm = vma->vm_mm;
    spinlock_t* ptl = nullptr;
    const ptep_t pte = __get_locked_pte(mm, addr, &ptl);
    if (!pte.table) return VM_FAULT_OOM;
    if (pte_none(deref(pte))) {
        /* Ok, finally just insert the thing.. */
        set_pte_at(mm, addr, pte, pte_mkspecial(pfn_pte(pfn, prot)));
    }
    pte_unmap_unlock(pte, ptl);
    return VM_FAULT_NOPAGE;
}

// vmf_insert_pfn() — mm/memory.c v5.4 (vmf_insert_pfn_prot with vma->vm_page_prot).
vm_fault_t vmf_insert_pfn(vm_area_struct* vma, unsigned long addr, unsigned long pfn) {
    if (addr < vma->vm_start || addr >= vma->vm_end) return VM_FAULT_SIGBUS;
    const pgprot_t prot = (vma->vm_flags & VM_WRITE) ? PAGE_SHARED : PAGE_READONLY;
    return insert_pfn(vma, addr, pfn, prot);
}

// __do_fault() — mm/memory.c v5.4. Left out: the pte table preallocation of
// 63f3655f9501 (it only moves the allocation earlier) and page locking, which
// PFN-mapping drivers (VM_FAULT_NOPAGE) do not use.
static vm_fault_t __do_fault(vm_fault* vmf) { return vmf->vma->vm_ops->fault(vmf); }

// do_read_fault() — mm/memory.c v5.4, for drivers that map the pfn themselves and
// return VM_FAULT_NOPAGE (no fault-around: such VMAs have no ->map_pages).
static vm_fault_t do_read_fault(vm_fault* vmf) { return __do_fault(vmf); }

// do_fault() — mm/memory.c v5.4. Write faults on these PFN mappings are handled by
// the same driver ->fault (shared mapping: do_shared_fault without page_mkwrite).
// Under the per-VMA lock, v6.6's do_read_fault()/do_shared_fault() give up
// before calling ->fault: vma_end_read() and VM_FAULT_RETRY (the mmap_lock path
// does the fault).
static vm_fault_t do_fault(vm_fault* vmf) {
    if (!vmf->vma->vm_ops->fault) return VM_FAULT_SIGBUS;
    if (vmf->flags & FAULT_FLAG_VMA_LOCK) {
        vma_end_read(vmf->vma);
        return VM_FAULT_RETRY;
    }
    return do_read_fault(vmf);
}

void vmf_pte_unmap_unlock(vm_fault* vmf) {
    if (vmf->vma->vm_mm->variants.pte_fault == handle_pte_fault_form::v5_4)
        pte_unmap_unlock(vmf->pte, vmf->ptl);
    else
        v6_5::pte_unmap_unlock(vmf->pte, vmf->ptl);
}

void vmf_pte_unmap(vm_fault* vmf) {
    if (vmf->vma->vm_mm->variants.pte_fault == handle_pte_fault_form::v5_4)
        pte_unmap(vmf->pte);
    else
        v6_5::pte_unmap(vmf->pte);
}

// pte_unmap_same() — mm/memory.c v6.6 on x86-64, where a pte is read in one
// access (no re-check under the ptl): unmap the pte handle_pte_fault() mapped.
static bool pte_unmap_same(vm_fault* vmf) {
    vmf_pte_unmap(vmf);
    vmf->pte = {};
    return true;
}

// do_swap_page()'s device-private branch — mm/memory.c v6.6 (16ce101db85d,
// v6.1): under the pte lock, re-check the entry and take a reference, so the
// page cannot be freed under the driver's migrate_to_ram(); with
// v6_0_no_ref_migrate_to_ram, v6.0's bare call. pte_unmap_same() has unmapped
// the table handle_pte_fault() mapped; the 6.5+ pte_offset_map_lock() maps it
// again and fails if the pmd no longer names a table.
static vm_fault_t do_swap_page_device_private(vm_fault* vmf, swp_entry_t entry) {
    vm_area_struct* vma = vmf->vma;
    if (vma->vm_mm->variants.devpriv_fault == device_private_fault::v6_0_no_ref_migrate_to_ram) {
        vmf->page = pfn_swap_entry_to_page(vma->vm_mm->memory, entry);
        return vmf->page->pgmap->ops->migrate_to_ram(vmf);
    }
    if (vmf->flags & FAULT_FLAG_VMA_LOCK) {
        // migrate_to_ram is not yet ready to operate under VMA lock.
        vma_end_read(vma);
        return VM_FAULT_RETRY;
    }
    vmf->page = pfn_swap_entry_to_page(vma->vm_mm->memory, entry);
    vmf->pte = v6_5::pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
    if (!vmf->pte.table) return 0;
    if (!pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
        v6_5::pte_unmap_unlock(vmf->pte, vmf->ptl);
        return 0;
    }
    // Get a page reference while we know the page can't be freed.
    get_page(vmf->page);
    v6_5::pte_unmap_unlock(vmf->pte, vmf->ptl);
    const vm_fault_t ret = vmf->page->pgmap->ops->migrate_to_ram(vmf);
    put_page(vmf->page);
    return ret;
}

// do_swap_page() — mm/memory.c v6.6, its non_swap_entry() branches for
// migration and device-private entries: the model has no swap (SIGBUS for
// anything else, as print_bad_pte()'s branch returns).
static vm_fault_t do_swap_page(vm_fault* vmf) {
    if (!pte_unmap_same(vmf)) return 0;
    const swp_entry_t entry = pte_to_swp_entry(vmf->orig_pte);
    if (is_migration_entry(entry)) {
        migration_entry_wait(vmf->vma->vm_mm, vmf->pmd, vmf->address);
        return 0;
    }
    if (is_device_private_entry(entry)) return do_swap_page_device_private(vmf, entry);
    return VM_FAULT_SIGBUS;
}

// do_pte_missing() — mm/memory.c v6.6 (v5.4 had the same test inline).
static vm_fault_t do_pte_missing(vm_fault* vmf) {
    if (vma_is_anonymous(vmf->vma)) return do_anonymous_page(vmf);
    return do_fault(vmf);
}

namespace v5_4 {
// handle_pte_fault() — mm/memory.c v5.4. A PROT_NONE pte goes to v6.6's
// do_numa_page() (memory_numa.cpp; v5.4's differs in pte_savedwrite(), which
// the model does not have), with vmf->ptl named as v5.4's do_numa_page() does.
static vm_fault_t handle_pte_fault(vm_fault* vmf) {
    if (pmd_none(deref(vmf->pmd))) {
        // Leave vmf->pte NULL: the fault path allocates the table.
        vmf->pte = {};
    } else {
        // A regular pmd is established and it can't morph into a huge pmd from
        // under us anymore at this point because we hold the mmap_lock read mode
        // and khugepaged takes it in write mode. So now it's safe to run
        // pte_offset_map().
        if (pmd_devmap_trans_unstable(vmf->pmd)) return 0;
        vmf->pte = pte_offset_map(vmf->pmd, vmf->address);
        vmf->orig_pte = deref(vmf->pte);
        barrier();
        if (pte_none(vmf->orig_pte)) {
            pte_unmap(vmf->pte);
            vmf->pte = {};
        }
    }
    if (!vmf->pte.table) return do_pte_missing(vmf);
    if (!pte_present(vmf->orig_pte)) return do_swap_page(vmf);
    vmf->ptl = pte_lockptr(vmf->vma->vm_mm, vmf->pmd);
    if (pte_protnone(vmf->orig_pte) && vma_is_accessible(vmf->vma)) return do_numa_page(vmf);
    spin_lock(vmf->ptl);
    pte_t entry = vmf->orig_pte;
    if (pte_same(deref(vmf->pte), entry)) {
        if (vmf->flags & FAULT_FLAG_WRITE) {
            if (!pte_write(entry)) return do_wp_page(vmf);  // COW: memory_cow.cpp
            entry = pte_mkdirty(entry);
        }
        entry = pte_mkyoung(entry);
        // ptep_set_access_flags(): only ever sets bits, under the ptl.
        if (!pte_same(entry, vmf->orig_pte)) set_pte_at(vmf->vma->vm_mm, vmf->address, vmf->pte, entry);
    }
    pte_unmap_unlock(vmf->pte, vmf->ptl);
    return 0;
}
}  // namespace v5_4

namespace v6_6 {
// handle_pte_fault() — mm/memory.c v6.6: the table is mapped lockless and the
// map may fail (a racing collapse or retract made the pmd something else): the
// fault returns and is retried. vmf->ptl is the lock of the table the pmd named
// when pte_offset_map_nolock() read it; pte_same() under it catches a change.
// A PROT_NONE pte goes to do_numa_page() (memory_numa.cpp). Left out:
// FAULT_FLAG_ORIG_PTE_VALID (no caller sets it), and the TLB calls (no TLB in
// the model).
static vm_fault_t handle_pte_fault(vm_fault* vmf) {
    if (pmd_none(deref(vmf->pmd))) {
        // Leave __pte_alloc() until later: vm_ops->fault may want a huge page.
        vmf->pte = {};
    } else {
        // khugepaged takes mmap_lock for write, but a file or shmem collapse can
        // still make the pmd huge: just retry later if so.
        vmf->pte = v6_5::pte_offset_map_nolock(vmf->vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
        if (!vmf->pte.table) return 0;
        vmf->orig_pte = ptep_get(vmf->pte);  // ptep_get_lockless(): one READ_ONCE on x86-64
        if (pte_none(vmf->orig_pte)) {
            v6_5::pte_unmap(vmf->pte);
            vmf->pte = {};
        }
    }
    if (!vmf->pte.table) return do_pte_missing(vmf);
    if (!pte_present(vmf->orig_pte)) return do_swap_page(vmf);  // pte_unmap_same() unmaps
    if (pte_protnone(vmf->orig_pte) && vma_is_accessible(vmf->vma)) return do_numa_page(vmf);
    spin_lock(vmf->ptl);
    pte_t entry = vmf->orig_pte;
    if (!pte_same(ptep_get(vmf->pte), entry)) goto unlock;  // update_mmu_tlb(): no TLB
    if (vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
        if (!pte_write(entry)) return do_wp_page(vmf);  // COW or unshare: memory_cow.cpp
        if (vmf->flags & FAULT_FLAG_WRITE) entry = pte_mkdirty(entry);
    }
    entry = pte_mkyoung(entry);
    // ptep_set_access_flags(): only ever sets bits, under the ptl; a spurious
    // fault (nothing to set) would flush the TLB.
    if (!pte_same(entry, vmf->orig_pte)) set_pte_at(vmf->vma->vm_mm, vmf->address, vmf->pte, entry);
unlock:
    v6_5::pte_unmap_unlock(vmf->pte, vmf->ptl);
    return 0;
}
}  // namespace v6_6

static vm_fault_t handle_pte_fault(vm_fault* vmf) {
    if (vmf->vma->vm_mm->variants.pte_fault == handle_pte_fault_form::v5_4) return v5_4::handle_pte_fault(vmf);
    return v6_6::handle_pte_fault(vmf);
}

// create_huge_pud() — mm/memory.c v5.4.
static vm_fault_t create_huge_pud(vm_fault* vmf) {
    /* No support for anonymous transparent PUD pages yet */
    if (vma_is_anonymous(vmf->vma)) return VM_FAULT_FALLBACK;
    if (vmf->vma->vm_ops->huge_fault) return vmf->vma->vm_ops->huge_fault(vmf, page_entry_size::PE_SIZE_PUD);
    return VM_FAULT_FALLBACK;
}

// wp_huge_pud() — mm/memory.c v5.4.
static vm_fault_t wp_huge_pud(vm_fault* vmf, pud_t) {
    if (vma_is_anonymous(vmf->vma)) return VM_FAULT_FALLBACK;
    if (vmf->vma->vm_ops->huge_fault) return vmf->vma->vm_ops->huge_fault(vmf, page_entry_size::PE_SIZE_PUD);
    return VM_FAULT_FALLBACK;
}

// create_huge_pmd() — mm/memory.c v5.4.
static vm_fault_t create_huge_pmd(vm_fault* vmf) {
    if (vma_is_anonymous(vmf->vma)) return do_huge_pmd_anonymous_page(vmf);
    if (vmf->vma->vm_ops->huge_fault) return vmf->vma->vm_ops->huge_fault(vmf, page_entry_size::PE_SIZE_PMD);
    return VM_FAULT_FALLBACK;
}

// wp_huge_pmd() — mm/memory.c v6.6 for anonymous VMAs (do_huge_pmd_wp_page();
// userfaultfd and unshare left out), v5.4 for file VMAs: the driver's
// huge_fault, else fall back.
static vm_fault_t wp_huge_pmd(vm_fault* vmf, pmd_t) {
    if (vma_is_anonymous(vmf->vma)) return do_huge_pmd_wp_page(vmf);
    if (vmf->vma->vm_ops->huge_fault) {
        const vm_fault_t ret = vmf->vma->vm_ops->huge_fault(vmf, page_entry_size::PE_SIZE_PMD);
        if (!(ret & VM_FAULT_FALLBACK)) return ret;
    }
    return VM_FAULT_FALLBACK;
}

// __handle_mm_fault() — mm/memory.c v5.4; with fixed_625110b5e9da, v5.5's
// pud_trans_unstable() re-check after pmd_alloc(), which is v6.6's pud level;
// with handle_pte_fault_form::v6_6, v6.6's lockless read of the pmd; v6.6's
// NUMA hinting branch for a PROT_NONE huge pmd (do_huge_pmd_numa_page(),
// huge_memory_numa.cpp) in both forms. Left out: the p4d level (folded).
// FAULT_FLAG_UNSHARE goes to the huge pmd's write-protect fault as a write
// does, as in v6.6 (only the v6.6 break_ksm() sets it).
static vm_fault_t __handle_mm_fault(vm_area_struct* vma, unsigned long address, unsigned flags) {
    vm_fault vmf;
    vmf.vma = vma;
    vmf.address = address & PAGE_MASK;
    vmf.flags = flags;
    vmf.pgoff = ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
    const unsigned dirty = flags & FAULT_FLAG_WRITE;
    const unsigned wp_pmd = flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE);
    mm_struct* mm = vma->vm_mm;
    vm_fault_t ret;

    const pgdp_t pgd = pgd_offset(mm, address);
    vmf.pud = pud_alloc(mm, pgd, address);
    if (!vmf.pud.table) return VM_FAULT_OOM;
retry_pud:
    if (pud_none(deref(vmf.pud)) && __transparent_hugepage_enabled(vma)) {
        ret = create_huge_pud(&vmf);
        if (!(ret & VM_FAULT_FALLBACK)) return ret;
    } else {
        const pud_t orig_pud = deref(vmf.pud);
        barrier();
        if (pud_trans_huge(orig_pud) || pud_devmap(orig_pud)) {
            /* NUMA case for anonymous PUDs would go here */
            if (dirty && !pud_write(orig_pud)) {
                ret = wp_huge_pud(&vmf, orig_pud);
                if (!(ret & VM_FAULT_FALLBACK)) return ret;
            } else {
                huge_pud_set_accessed(&vmf, orig_pud);
                return 0;
            }
        }
    }

    bool oom = false;
    vmf.pmd = pmd_alloc(mm, vmf.pud, address, &oom);
    if (oom) return VM_FAULT_OOM;

    if (mm->variants.fault_pud == handle_mm_fault_pud::fixed_625110b5e9da) {
        /* Huge pud page fault raced with pmd_alloc? */
        if (pud_trans_unstable(vmf.pud)) goto retry_pud;
    }

    if (pmd_none(deref(vmf.pmd)) && __transparent_hugepage_enabled(vma)) {
        ret = create_huge_pmd(&vmf);
        if (!(ret & VM_FAULT_FALLBACK)) return ret;
    } else {
        // v6.6: vmf.orig_pmd = pmdp_get_lockless(vmf.pmd); v5.4: orig_pmd = *vmf.pmd.
        const pmd_t orig_pmd =
            mm->variants.pte_fault == handle_pte_fault_form::v5_4 ? deref(vmf.pmd) : pmdp_get_lockless(vmf.pmd);
        barrier();
        // A pmd migration entry (v4.14+, as in v5.4 and v6.6): wait for the
        // migrator, then let the fault be retried.
        if (is_swap_pmd(orig_pmd)) {
            VM_BUG_ON(!is_pmd_migration_entry(orig_pmd), "VM_BUG_ON(!is_pmd_migration_entry(vmf.orig_pmd))");
            pmd_migration_entry_wait(mm, vmf.pmd);
            return 0;
        }
        if (pmd_trans_huge(orig_pmd) || pmd_devmap(orig_pmd)) {
            if (pmd_protnone(orig_pmd) && vma_is_accessible(vma)) {
                vmf.orig_pmd = orig_pmd;
                return do_huge_pmd_numa_page(&vmf);
            }
            if (wp_pmd && !pmd_write(orig_pmd)) {
                vmf.orig_pmd = orig_pmd;
                ret = wp_huge_pmd(&vmf, orig_pmd);
                if (!(ret & VM_FAULT_FALLBACK)) return ret;
            } else {
                vmf.orig_pmd = orig_pmd;
                huge_pmd_set_accessed(&vmf);
                return 0;
            }
        }
    }

    return handle_pte_fault(&vmf);
}

// handle_mm_fault() — mm/memory.c v5.4, without event counting, memcg and hugetlb.
// With FAULT_FLAG_VMA_LOCK (v6.6) the caller holds the VMA's lock for read
// instead of mmap_lock; a path that cannot run under it drops it and returns
// VM_FAULT_RETRY (do_fault() above). The rest of the walk is the same: what the
// mmap_lock kept out (munmap, khugepaged's collapse) takes vma_start_write().
vm_fault_t handle_mm_fault(vm_area_struct* vma, unsigned long address, unsigned flags) {
    // sanitize_fault_flags() — mm/memory.c v6.6, for unshare: it only applies
    // to COW mappings, elsewhere it is an ordinary read fault.
    if (flags & FAULT_FLAG_UNSHARE) {
        VM_BUG_ON(flags & FAULT_FLAG_WRITE, "WARN_ON_ONCE(*flags & FAULT_FLAG_WRITE) in sanitize_fault_flags");
        if (!is_cow_mapping(vma->vm_flags)) flags &= ~FAULT_FLAG_UNSHARE;
    }
    return __handle_mm_fault(vma, address, flags);
}

}  // namespace mm
MMCHECK_ENGINE_END
