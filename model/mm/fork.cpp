// fork()'s copy of the parent's address space, v6.6: kernel/fork.c dup_mm(),
// dup_mmap(), __mmput(); mm/memory.c copy_page_range(), copy_p4d_range(),
// copy_pud_range(), copy_pmd_range(), copy_pte_range(), copy_present_pte(),
// vma_needs_copy(); mm/huge_memory.c copy_huge_pmd(). Checked line by line
// against a 6.6.y tree (GrapheneOS/kernel_common-6.6 kernel/fork.c, and v6.6-era
// patch pre-images of copy_present_pte()/copy_huge_pmd(), as that tree's
// mm/memory.c carries v6.9's batched copy).
//
// Lock order, as in the kernel: the parent's mmap_lock for write, the child's
// nested inside it; vma_start_write() on each parent VMA before it is copied
// (fb49c455323f, the fork_lock variant: v6.4 did not); then per pte table the
// child's pte lock and the parent's nested, per huge pmd the child's pmd lock
// and the parent's nested. The parent's copy of a COW VMA runs inside an
// MMU_NOTIFY_PROTECTION_PAGE bracket; the parent's TLBs are flushed
// (flush_tlb_mm()) after the child's mmap_lock is dropped and before the
// parent's is.
//
// Left out, and how the model stands in: anon_vma objects and their chains
// (anon_vma_fork() gives identities: mm_types.h; the rmap walks do not see the
// child), VM_DONTCOPY and
// VM_WIPEONFORK (no such flags), userfaultfd (dup_userfaultfd(), uffd-wp
// bits), uprobes, hugetlb, rss and vm_stat counters, the write_protect_seq
// GUP-fast reads (the model's GUP-fast does not read it), copy_huge_pud()
// (huge puds are PFN maps in the model, which vma_needs_copy() skips here).
// File and PFN-map VMAs are linked into the child but their ptes are not
// copied: the kernel skips file VMAs without an anon_vma the same way
// (vma_needs_copy()), but copies PFN maps and private file VMAs with an
// anon_vma, which the model leaves to the child's faults. Swap and migration
// entries (copy_nonpresent_pte(), copy_huge_pmd()'s pmd migration entry) are
// not modeled: the model's migration knows one mapping per page (migrate.h),
// so a fork of one is an assertion. copy_present_page() (the child's copy of a
// page the parent may have DMA-pinned) is never reached: no page is pinned
// (rmap.h), so page_try_dup_anon_rmap() never fails; the THP form of that
// fallback (split, -EAGAIN) is written out as v6.6 has it, equally unreached.
#include "model/mm/fork.h"

#include <algorithm>

#include "model/arch/x86/tlb.h"
#include "model/fs/address_space.h"
#include "model/mm/huge_memory.h"
#include "model/mm/memory.h"
#include "model/mm/mmu_notifier.h"
#include "model/mm/pgtable_generic.h"
#include "model/mm/rmap.h"
#include "model/mm/swapops.h"
#include "model/mm/vma_lock.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

constexpr int fork_enomem = -12;  // -ENOMEM
constexpr int fork_eagain = -11;  // -EAGAIN

// mmap_write_lock_nested() — include/linux/mmap_lock.h v6.6.
void mmap_write_lock_nested(mm_struct* mm, int subclass) { down_write_nested(&mm->mmap_lock, subclass); }

// vma_needs_copy() — mm/memory.c v6.6: only VMAs whose ptes a fault cannot
// fill again. See the header for the model's PFN-map and file VMAs.
bool vma_needs_copy(vm_area_struct*, vm_area_struct* src_vma) {
    return vma_is_anonymous(src_vma) && src_vma->anon_vma;
}

// copy_present_pte() — mm/memory.c v6.6, both pte locks held: share the page
// with the child, write-protected in both if it is a COW mapping.
int copy_present_pte(vm_area_struct* dst_vma, vm_area_struct* src_vma, ptep_t dst_pte, ptep_t src_pte,
                     unsigned long addr) {
    mm_struct* src_mm = src_vma->vm_mm;
    const unsigned long vm_flags = src_vma->vm_flags;
    pte_t pte = ptep_get(src_pte);
    page* p = vm_normal_page(src_vma, addr, pte);
    page* folio = p ? compound_head(p) : nullptr;
    if (folio && folio->use == page_use::anon) {
        // If this page may have been pinned by the parent process, copy the
        // page immediately for the child (copy_present_page()): never, here.
        get_page(folio);
        if (page_try_dup_anon_rmap(p, false, src_vma)) {
            put_page(folio);
            VM_BUG_ON(true, "copy_present_page(): a pinned page, which the model never has");
        }
    } else if (folio) {
        get_page(folio);
        page_add_file_rmap(p, src_vma, false);  // page_dup_file_rmap()
    }
    // If it's a COW mapping, write protect it both in the parent and the child.
    if (is_cow_mapping(vm_flags) && pte_write(pte)) {
        ptep_set_wrprotect(src_mm, addr, src_pte);
        pte = pte_wrprotect(pte);
    }
    VM_BUG_ON(folio && folio->use == page_use::anon && PageAnonExclusive(p),
              "VM_BUG_ON(page && folio_test_anon(folio) && PageAnonExclusive(page))");
    // If it's a shared mapping, mark it clean in the child.
    if (vm_flags & VM_SHARED) pte = pte_mkclean(pte);
    pte = pte_mkold(pte);
    // The child's pte is unread: nothing but this fork can reach the child's
    // tables (its mmap_lock is held for write and no CPU runs it yet).
    entry_known_under_lock(dst_pte);
    set_pte_at(dst_vma->vm_mm, addr, dst_pte, pte);
    return 0;
}

// copy_pte_range() — mm/memory.c v6.6: the child's table allocated and
// locked, the parent's mapped without its lock and then locked nested. The
// model never reschedules (need_resched() is false), and copy_present_pte()
// never asks for a preallocated page, so the "again" loop runs once.
int copy_pte_range(vm_area_struct* dst_vma, vm_area_struct* src_vma, pmdp_t dst_pmd, pmdp_t src_pmd,
                   unsigned long addr, unsigned long end) {
    mm_struct* dst_mm = dst_vma->vm_mm;
    mm_struct* src_mm = src_vma->vm_mm;
    spinlock_t* dst_ptl = nullptr;
    spinlock_t* src_ptl = nullptr;
    bool oom = false;
    // copy_pmd_range()'s prior pmd_none_or_clear_bad(src_pmd), and the error
    // handling here, assume that exclusive mmap_lock on dst and src protects
    // anon from unexpected THP transitions.
    const ptep_t dst_pte = pte_alloc_map_lock(dst_mm, dst_pmd, addr, &dst_ptl, &oom);
    if (oom) return fork_enomem;
    const ptep_t src_pte = v6_5::pte_offset_map_nolock(src_mm, src_pmd, addr, &src_ptl);
    if (!src_pte.table) {
        pte_unmap_unlock(dst_pte, dst_ptl);
        return 0;
    }
    spin_lock_nested(src_ptl, SINGLE_DEPTH_NESTING);
    int ret = 0;
    for (unsigned i = 0; addr != end; ++i, addr += PAGE_SIZE) {
        const ptep_t src = pte_handle(src_pte.table, src_pte.index + i);
        const ptep_t dst = pte_handle(dst_pte.table, dst_pte.index + i);
        const pte_t ptent = ptep_get(src);
        if (pte_none(ptent)) continue;
        // copy_nonpresent_pte(): swap and migration entries, not modeled.
        VM_BUG_ON(!pte_present(ptent), "copy_nonpresent_pte(): a swap or migration entry, not modeled for fork");
        ret = copy_present_pte(dst_vma, src_vma, dst, src, addr);
        if (ret) break;
    }
    v6_5::pte_unmap_unlock(src_pte, src_ptl);
    pte_unmap_unlock(dst_pte, dst_ptl);
    return ret;
}

// copy_pmd_range() — mm/memory.c v6.6: huge pmds whole, else the pte tables.
int copy_pmd_range(vm_area_struct* dst_vma, vm_area_struct* src_vma, pudp_t dst_pud, pudp_t src_pud,
                   unsigned long addr, unsigned long end) {
    mm_struct* dst_mm = dst_vma->vm_mm;
    mm_struct* src_mm = src_vma->vm_mm;
    bool oom = false;
    const pmdp_t dst_first = pmd_alloc(dst_mm, dst_pud, addr, &oom);
    if (oom) return fork_enomem;
    const pmdp_t src_first = pmd_offset(src_pud, addr);
    for (unsigned i = 0; addr != end; ++i) {
        const unsigned long next = pmd_addr_end(addr, end);
        const pmdp_t src_pmd = pmd_handle(src_first.table, src_first.index + i);
        const pmdp_t dst_pmd = pmd_handle(dst_first.table, dst_first.index + i);
        const pmd_t pmd = deref(src_pmd);
        bool copied = false;
        if (is_swap_pmd(pmd) || pmd_trans_huge(pmd) || pmd_devmap(pmd)) {
            VM_BUG_ON(next - addr != PMD_SIZE, "VM_BUG_ON_VMA(next-addr != HPAGE_PMD_SIZE)");
            const int err = copy_huge_pmd(dst_mm, src_mm, dst_pmd, src_pmd, addr, dst_vma, src_vma);
            if (err == fork_enomem) return fork_enomem;
            copied = err == 0;
            /* fall through */
        }
        if (!copied) {
            // pmd_none_or_clear_bad(): a none pmd is skipped before the bad test,
            // which a none pmd fails too.
            const pmd_t again = deref(src_pmd);
            if (!pmd_none(again)) {
                if (pmd_bad(again)) report_violation(violation_kind::assertion, "pmd_bad() in copy_pmd_range: pmd_clear_bad");
                if (copy_pte_range(dst_vma, src_vma, dst_pmd, src_pmd, addr, next)) return fork_enomem;
            }
        }
        addr = next;
    }
    return 0;
}

// copy_pud_range() — mm/memory.c v6.6, without copy_huge_pud() (header).
int copy_pud_range(vm_area_struct* dst_vma, vm_area_struct* src_vma, pgdp_t dst_pgd, pgdp_t src_pgd,
                   unsigned long addr, unsigned long end) {
    const pudp_t dst_first = pud_alloc(dst_vma->vm_mm, dst_pgd, addr);
    if (!dst_first.table) return fork_enomem;
    const pudp_t src_first = pud_offset(src_pgd, addr);
    for (unsigned i = 0; addr != end; ++i) {
        const unsigned long next = pud_addr_end(addr, end);
        const pudp_t src_pud{src_first.table, src_first.index + i, src_first.generation};
        const pudp_t dst_pud{dst_first.table, dst_first.index + i, dst_first.generation};
        const pud_t pud = deref(src_pud);
        VM_BUG_ON(pud_leaf(pud), "copy_huge_pud(): a huge pud in a copied VMA, not modeled");
        // pud_none_or_clear_bad(): none first, as for the pmd.
        if (!pud_none(pud)) {
            if (pud_bad(pud)) report_violation(violation_kind::assertion, "pud_bad() in copy_pud_range: pud_clear_bad");
            if (copy_pmd_range(dst_vma, src_vma, dst_pud, src_pud, addr, next)) return fork_enomem;
        }
        addr = next;
    }
    return 0;
}

// copy_p4d_range() — mm/memory.c v6.6: the p4d level is folded (pgtable.h).
int copy_p4d_range(vm_area_struct* dst_vma, vm_area_struct* src_vma, pgdp_t dst_pgd, pgdp_t src_pgd,
                   unsigned long addr, unsigned long end) {
    return copy_pud_range(dst_vma, src_vma, dst_pgd, src_pgd, addr, end);
}

// The VMA vm_area_dup() made, moved to the child that links it: vm_area_dup()
// files copies under the mm of the VMA it copies (mm_init.cpp).
vm_area_struct* adopt_vma(mm_struct* mm, vm_area_struct* tmp) {
    auto& parent_cache = tmp->vm_mm->vm_area_cachep;
    const auto it = std::find_if(parent_cache.begin(), parent_cache.end(), [&](const auto& v) { return v.get() == tmp; });
    mm->vm_area_cachep.push_back(std::move(*it));
    parent_cache.erase(it);
    tmp->vm_mm = mm;
    return tmp;
}

}  // namespace

// copy_huge_pmd() — mm/huge_memory.c v6.6: share the THP (or the huge zero
// page) write-protected, with a pte table deposited for the child's later split.
int copy_huge_pmd(mm_struct* dst_mm, mm_struct* src_mm, pmdp_t dst_pmd, pmdp_t src_pmd, unsigned long addr,
                  vm_area_struct* dst_vma, vm_area_struct* src_vma) {
    /* Skip if can be re-fill on fault */
    if (!vma_is_anonymous(dst_vma)) return 0;
    page* pgtable = pte_alloc_one(dst_mm);
    if (!pgtable) return fork_enomem;
    spinlock_t* dst_ptl = pmd_lock(dst_mm, dst_pmd);
    spinlock_t* src_ptl = pmd_lockptr(src_mm, src_pmd);
    spin_lock_nested(src_ptl, SINGLE_DEPTH_NESTING);
    int ret = fork_eagain;
    pmd_t pmd = deref(src_pmd);
    // CONFIG_ARCH_ENABLE_THP_MIGRATION's pmd migration entry: see the header.
    VM_BUG_ON(is_swap_pmd(pmd), "copy_huge_pmd() of a pmd migration entry, not modeled for fork");
    if (!pmd_trans_huge(pmd)) {
        pte_free(dst_mm, pgtable);
        goto out_unlock;
    }
    // When page table lock is held, the huge zero pmd should not be under
    // splitting since we don't split the page itself, only pmd to a page table.
    if (is_huge_zero_pmd(src_mm, pmd)) {
        // get_huge_zero_page() will never allocate a new page here, since we
        // already have a zero page to copy. It just takes a reference.
        mm_get_huge_zero_page(dst_mm);
        goto out_zero_page;
    }
    {
        page* src_page = pfn_to_page(src_mm->memory, pmd_pfn(pmd));  // pmd_page()
        VM_BUG_ON(src_page->order == 0, "VM_BUG_ON_PAGE(!PageHead(src_page))");
        get_page(src_page);
        if (page_try_dup_anon_rmap(src_page, true, src_vma)) {
            /* Page maybe pinned: split and retry the fault on PTEs. */
            put_page(src_page);
            pte_free(dst_mm, pgtable);
            spin_unlock(src_ptl);
            spin_unlock(dst_ptl);
            __split_huge_pmd(src_vma, src_pmd, addr, false, nullptr);
            return fork_eagain;
        }
    }
out_zero_page:
    mm_inc_nr_ptes(dst_mm);
    pgtable_trans_huge_deposit(dst_mm, dst_pmd, pgtable);
    pmdp_set_wrprotect(src_mm, addr, src_pmd);
    pmd = pmd_mkold(pmd_wrprotect(pmd));
    entry_known_under_lock(dst_pmd);  // the child's, as in copy_present_pte()
    set_pmd_at(dst_mm, addr, dst_pmd, pmd);
    ret = 0;
out_unlock:
    spin_unlock(src_ptl);
    spin_unlock(dst_ptl);
    return ret;
}

// copy_page_range() — mm/memory.c v6.6: the parent's ptes of src_vma into the
// child's dst_vma, inside an invalidate bracket for the parent's secondary
// MMUs when the parent's ptes are write-protected (a COW mapping).
int copy_page_range(vm_area_struct* dst_vma, vm_area_struct* src_vma) {
    mm_struct* dst_mm = dst_vma->vm_mm;
    mm_struct* src_mm = src_vma->vm_mm;
    unsigned long addr = src_vma->vm_start;
    const unsigned long end = src_vma->vm_end;
    if (!vma_needs_copy(dst_vma, src_vma)) return 0;
    const bool is_cow = is_cow_mapping(src_vma->vm_flags);
    mmu_notifier_range range;
    if (is_cow) {
        mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_PAGE, 0, src_vma, src_mm, addr, end);
        mmu_notifier_invalidate_range_start(&range);
        // v6.6 asserts what fb49c455323f made dup_mmap() do; v6.4 (the fork_lock
        // variant before it) asserted only mmap_lock.
        if (src_mm->variants.fork_lock == fork_vma_lock::fixed_fb49c455323f) vma_assert_write_locked(src_vma);
        // raw_write_seqcount_begin(&src_mm->write_protect_seq): see the header.
    }
    int ret = 0;
    while (addr != end) {
        const unsigned long next = pgd_addr_end(addr, end);
        const pgdp_t src_pgd = pgd_offset(src_mm, addr);
        // pgd_none_or_clear_bad()
        if (pgd_val(deref(src_pgd)) != 0 &&
            copy_p4d_range(dst_vma, src_vma, pgd_offset(dst_mm, addr), src_pgd, addr, next)) {
            ret = fork_enomem;
            break;
        }
        addr = next;
    }
    if (is_cow) mmu_notifier_invalidate_range_end(&range);
    return ret;
}

namespace {

// anon_vma_fork() — mm/rmap.c v6.6, on identities (mm_types.h): a child VMA of
// a parent VMA with an anon_vma gets one of its own, and its chain links the
// parent's (anon_vma_clone(); no ancestor's anon_vma is free for reuse on a
// first fork). Always succeeds: the model allocates no anon_vma objects.
void anon_vma_fork(vm_area_struct* vma, const vm_area_struct* pvma) {
    // Don't bother if the parent process has no anon_vma here.
    if (!pvma->anon_vma) return;
    vma->anon_vma = ++vma->vm_mm->last_anon_vma;
    vma->anon_vma_chain_inherited = true;
}

}  // namespace

// dup_mmap() — kernel/fork.c v6.6: every parent VMA, write-locked first
// (fork_lock variant), duplicated, linked into the child and its ptes copied.
int dup_mmap(mm_struct* mm, mm_struct* oldmm) {
    mmap_write_lock(oldmm);  // mmap_write_lock_killable(): no signals in the model
    // Not linked in yet - no deadlock potential:
    mmap_write_lock_nested(mm, SINGLE_DEPTH_NESTING);
    int retval = 0;
    const std::vector<vm_area_struct*> parent_vmas = oldmm->vmas;  // for_each_vma(old_vmi, mpnt)
    for (vm_area_struct* mpnt : parent_vmas) {
        if (oldmm->variants.fork_lock == fork_vma_lock::fixed_fb49c455323f) vma_start_write(mpnt);
        vm_area_struct* tmp = adopt_vma(mm, vm_area_dup(mpnt));
        anon_vma_fork(tmp, mpnt);  // no VM_WIPEONFORK; VM_LOCKED_MASK: no mlock
        if (tmp->vm_mapping) {
            // insert tmp into the share list, just after mpnt
            i_mmap_lock_write(tmp->vm_mapping);
            vma_interval_tree_insert(tmp, tmp->vm_mapping);
            i_mmap_unlock_write(tmp->vm_mapping);
        }
        mm->vmas.push_back(tmp);  // vma_iter_bulk_store(): the child's tree, in order
        retval = copy_page_range(tmp, mpnt);
        if (retval) break;
    }
    mmap_write_unlock(mm);
    flush_tlb_mm(oldmm);
    mmap_write_unlock(oldmm);
    return retval;
}

// dup_mm() — kernel/fork.c v6.6 with mm_alloc()'s pgd_alloc() (the mm_struct
// constructor, mm_init.cpp). On failure the half-built child is torn down as
// mmput() does.
std::unique_ptr<mm_struct> dup_mm(mm_struct* oldmm) {
    auto mm = std::make_unique<mm_struct>(oldmm->memory, oldmm->variants);
    mm->notifier_subscriptions = nullptr;  // mmu_notifier_subscriptions_init(): the child has none
    if (dup_mmap(mm.get(), oldmm)) {
        mmput(mm.get());
        return nullptr;
    }
    return mm;
}

void mmget(mm_struct* mm) { atomic_inc(mm->mm_users); }

bool mmget_not_zero(mm_struct* mm) { return atomic_inc_not_zero(mm->mm_users); }

namespace {

// __mmput() — kernel/fork.c v6.6 (see fork.h for what it leaves out).
void __mmput(mm_struct* mm) {
    exit_mmap(mm);
    mm_put_huge_zero_page(mm);
}

}  // namespace

void mmput(mm_struct* mm) {
    if (atomic_dec_and_test(mm->mm_users)) __mmput(mm);
}

}  // namespace mm
MMCHECK_ENGINE_END
