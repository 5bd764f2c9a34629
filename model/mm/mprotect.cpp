// The change_protection() walk of mm/mprotect.c, v6.6, as mprotect() runs it
// (mprotect_fixup(), under mmap_lock for write and the VMA's write lock) and as
// NUMA hinting runs it (MM_CP_PROT_NUMA, under mmap_lock for read).
//
// Reduced to private and shared anonymous memory: no uffd-wp
// (change_pmd_prepare(), pgtable_split_needed()) or pte markers, no soft-dirty
// tracking, no huge puds (the model's are PFN maps, which mprotect
// does not reach), no mmu_gather or TLB flush (no TLB in the model). The model
// has one NUMA node, so change_pte_range()'s node and tier filters are left
// out: every eligible page is made PROT_NONE, as if it were on another node.
#include "model/mm/mprotect.h"

#include <cerrno>

#include "model/mm/huge_memory.h"
#include "model/mm/memremap.h"
#include "model/mm/mmap.h"
#include "model/mm/mmu_notifier.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// change_pte_range()'s swap-pte branch — mm/mprotect.c v6.6: a writable
// migration or device-private entry loses its write permission ("a protection
// check is difficult so just be safe and disable write"); any other entry is
// left as it is. The soft-dirty and uffd-wp bits of swap ptes are not modeled.
void change_swap_pte(vm_area_struct* vma, unsigned long addr, ptep_t pte, pte_t oldpte, long* pages) {
    swp_entry_t entry = pte_to_swp_entry(oldpte);
    pte_t newpte = oldpte;
    if (is_writable_migration_entry(entry)) {
        page* p = pfn_to_page(vma->vm_mm->memory, swp_offset(entry));
        entry = compound_head(p)->use == page_use::anon ? make_readable_exclusive_migration_entry(swp_offset(entry))
                                                        : make_readable_migration_entry(swp_offset(entry));
        newpte = swp_entry_to_pte(entry);
    } else if (is_writable_device_private_entry(entry)) {
        // We do not preserve soft-dirtiness.
        newpte = swp_entry_to_pte(make_readable_device_private_entry(swp_offset(entry)));
    }
    if (pte_val(newpte) != pte_val(oldpte)) {  // !pte_same()
        set_pte_at(vma->vm_mm, addr, pte, newpte);
        ++*pages;
    }
}

// change_pte_range() — mm/mprotect.c v6.6. The pte is rewritten
// in two steps under the ptl, ptep_modify_prot_start() (get and clear) and
// ptep_modify_prot_commit() (set_pte_at()): a lockless reader that sees the
// transient pte_none() faults and waits for the ptl.
long change_pte_range(vm_area_struct* vma, pmdp_t pmd, unsigned long addr, unsigned long end, pgprot_t newprot,
                      unsigned long cp_flags) {
    mm_struct* mm = vma->vm_mm;
    const bool prot_numa = cp_flags & MM_CP_PROT_NUMA;
    spinlock_t* ptl = nullptr;
    const ptep_t start_pte = v6_5::pte_offset_map_lock(mm, pmd, addr, &ptl);
    if (!start_pte.table) return -EAGAIN;
    long pages = 0;
    for (; addr != end; addr += PAGE_SIZE) {
        const ptep_t pte{start_pte.table, pte_index(addr), start_pte.generation};
        const pte_t oldpte = ptep_get(pte);
        if (is_swap_pte(oldpte)) {
            change_swap_pte(vma, addr, pte, oldpte, &pages);
            continue;
        }
        if (!pte_present(oldpte)) continue;  // none: nobody but uffd-wp plays with none ptes
        if (prot_numa) {
            // Avoid TLB flush if possible.
            if (pte_protnone(oldpte)) continue;
            page* p = vm_normal_page(vma, addr, oldpte);  // vm_normal_folio() in 6.6.y
            if (!p || is_zone_device_page(p) || PageKsm(p)) continue;
            // Also skip shared copy-on-write pages.
            if (is_cow_mapping(vma->vm_flags) && page_count(p) != 1) continue;
        }
        const pte_t old = ptep_get_and_clear(mm, addr, pte);  // ptep_modify_prot_start()
        pte_t ptent = pte_modify(old, newprot);
        // In all writable, private mappings, we have to properly handle COW;
        // an exclusive anonymous page can still be made writable here.
        if ((cp_flags & MM_CP_TRY_CHANGE_WRITABLE) && !pte_write(ptent) && can_change_pte_writable(vma, addr, ptent))
            ptent = pte_mkwrite(ptent);
        set_pte_at(mm, addr, pte, ptent);  // ptep_modify_prot_commit()
        ++pages;
    }
    v6_5::pte_unmap_unlock(start_pte, ptl);
    return pages;
}

// change_pmd_range() — mm/mprotect.c v6.6: a huge pmd wholly inside the range
// goes to change_huge_pmd(), one partly inside is split; a pmd that stops
// being a table under change_pte_range() is looked at again. The mmu notifier
// range starts at the first populated pmd and ends after the last.
long change_pmd_range(vm_area_struct* vma, pudp_t pud, unsigned long addr, unsigned long end, pgprot_t newprot,
                      unsigned long cp_flags) {
    long pages = 0;
    mmu_notifier_range range;
    range.start = 0;
    pmdp_t pmd = pmd_offset(pud, addr);
    while (addr != end) {
        const unsigned long next = pmd_addr_end(addr, end);
        if (!pmd_none(deref(pmd))) {
            /* invoke the mmu notifier if the pmd is populated */
            if (!range.start) {
                mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_VMA, 0, vma, vma->vm_mm, addr, end);
                mmu_notifier_invalidate_range_start(&range);
            }
            const pmd_t _pmd = pmdp_get_lockless(pmd);
            bool handled = false;
            // is_swap_pmd() || pmd_trans_huge() || pmd_devmap()
            if ((!pmd_none(_pmd) && !pmd_present(_pmd)) || pmd_trans_huge(_pmd) || pmd_devmap(_pmd)) {
                if (next - addr != PMD_SIZE) {  // HPAGE_PMD_SIZE
                    __split_huge_pmd(vma, pmd, addr, false, nullptr);
                } else if (const int ret = change_huge_pmd(vma, pmd, addr, newprot, cp_flags)) {
                    if (ret == int(HPAGE_PMD_NR)) pages += long(HPAGE_PMD_NR);
                    handled = true;  // huge pmd was handled
                }
                /* fall through, the trans huge pmd just split */
            }
            if (!handled) {
                const long ret = change_pte_range(vma, pmd, addr, next, newprot, cp_flags);
                if (ret < 0) continue;  // goto again
                pages += ret;
            }
        }
        addr = next;
        pmd = pmdp_t{pmd.table, pmd.index + 1, pmd.generation};  // pmd++
    }
    if (range.start) mmu_notifier_invalidate_range_end(&range);
    return pages;
}

// change_pud_range() and change_protection_range() — mm/mprotect.c v6.6, p4d
// folded: pud_none_or_clear_bad() and pgd_none_or_clear_bad() skip an entry.
long change_protection_range(vm_area_struct* vma, unsigned long addr, unsigned long end, pgprot_t newprot,
                             unsigned long cp_flags) {
    mm_struct* mm = vma->vm_mm;
    VM_BUG_ON(addr >= end, "BUG_ON(addr >= end)");
    long pages = 0;
    while (addr != end) {
        const unsigned long next = pud_addr_end(addr, end);
        const pgdp_t pgd = pgd_offset(mm, addr);
        if (pgd_val(deref(pgd)) != 0) {
            const pudp_t pud = pud_offset(pgd, addr);
            const pud_t pudval = deref(pud);
            if (!pud_none(pudval)) {
                if (pud_bad(pudval))
                    report_violation(violation_kind::assertion, "pud_bad() in pud_none_or_clear_bad: pud_clear_bad");
                pages += change_pmd_range(vma, pud, addr, next, newprot, cp_flags);
            }
        }
        addr = next;
    }
    return pages;
}

}  // namespace

pgprot_t vma_page_prot(const vm_area_struct* vma) {
    if (!(vma->vm_flags & VM_ACCESS_FLAGS)) return PAGE_NONE;
    if ((vma->vm_flags & VM_SHARED) && (vma->vm_flags & VM_WRITE)) return PAGE_SHARED;
    return PAGE_READONLY;  // PAGE_COPY, PAGE_READONLY (and their _EXEC forms)
}

bool can_change_pte_writable(vm_area_struct* vma, unsigned long addr, pte_t pte) {
    VM_BUG_ON(!(vma->vm_flags & VM_WRITE), "WARN_ON_ONCE(!(vma->vm_flags & VM_WRITE)) in can_change_pte_writable");
    /* Don't touch entries that are not even readable. */
    if (pte_protnone(pte)) return false;
    if (!(vma->vm_flags & VM_SHARED)) {
        // Writable MAP_PRIVATE mapping: We can only special-case on exclusive
        // anonymous pages, because we know that our write-fault handler
        // similarly would map them writable without any additional checks
        // while holding the PT lock.
        page* p = vm_normal_page(vma, addr, pte);
        // PageAnon() of a THP's tail page is its folio's.
        return p && compound_head(p)->use == page_use::anon && PageAnonExclusive(p);
    }
    // Writable MAP_SHARED mapping: "clean" might indicate that the FS still
    // needs a real write-fault for writenotify.
    return pte_dirty(pte);
}

long change_protection(vm_area_struct* vma, unsigned long start, unsigned long end, unsigned long cp_flags) {
    pgprot_t newprot = vma_page_prot(vma);  // vma->vm_page_prot
    // Ordinary protection updates (mprotect) are expected to reflect their
    // requirements via VMA flags such that vma_set_page_prot() will adjust
    // vma->vm_page_prot accordingly.
    if (cp_flags & MM_CP_PROT_NUMA) newprot = PAGE_NONE;
    return change_protection_range(vma, start, end, newprot, cp_flags);
}

long change_prot_numa(vm_area_struct* vma, unsigned long addr, unsigned long end) {
    return change_protection(vma, addr, end, MM_CP_PROT_NUMA);
}

}  // namespace mm
MMCHECK_ENGINE_END
