// Dirty tracking of a shared file mapping over walk_page_mapping(), as a
// driver (vmwgfx) uses it: the 2019 as_dirty_helpers.c of T. Hellstrom's
// series, merged in v5.6 as mm/mapping_dirty_helpers.c, which this follows.
//
// Deviation, stated once here: mapping_dirty_helpers only WARNs on a writable
// or dirty huge entry and skips it (dirty tracking happens at pte level). Here
// huge entries are write-protected and cleaned and recorded like ptes, so that
// a huge entry's dirtiness is something the scenario's invariant can check; how
// the pud_entry/pmd_entry callbacks reach the huge entry is the variant
// (variants.h dirty_tracker_huge). Left out: mmu notifiers and
// inc/dec_tlb_flush_pending(); the TLB flush is a full barrier (no TLB).
#include <algorithm>

#include "model/mm/huge_memory.h"
#include "model/mm/memory.h"
#include "model/mm/pagewalk.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// struct wp_walk / struct clean_walk — mm/mapping_dirty_helpers.c v5.6.
struct wp_walk {
    unsigned long tlbflush_start = 0;
    unsigned long tlbflush_end = 0;
    unsigned long total = 0;
};
struct clean_walk {
    wp_walk base;
    pgoff_t bitmap_pgoff = 0;
    unsigned long* bitmap = nullptr;
    pgoff_t start = 0;
    pgoff_t end = 0;
};

extern const mm_walk_ops clean_walk_ops;

bool is_clean_walk(const mm_walk* walk) { return walk->ops == &clean_walk_ops; }
dirty_tracker_huge huge_form(const mm_walk* walk) { return walk->mm->variants.tracker_huge; }

void note_flush(mm_walk* walk, unsigned long addr, unsigned long end) {
    auto* wpwalk = static_cast<wp_walk*>(walk->private_data);
    wpwalk->total++;
    wpwalk->tlbflush_start = std::min(wpwalk->tlbflush_start, addr);
    wpwalk->tlbflush_end = std::max(wpwalk->tlbflush_end, end);
}

// The bitmap bits of [addr, end) (__set_bit(pgoff, cwalk->bitmap) per page).
void record_dirty(mm_walk* walk, unsigned long addr, unsigned long end) {
    auto* cwalk = reinterpret_cast<clean_walk*>(walk->private_data);  // to_clean_walk()
    for (; addr < end; addr += PAGE_SIZE) {
        const pgoff_t pgoff = ((addr - walk->vma->vm_start) >> PAGE_SHIFT) + walk->vma->vm_pgoff - cwalk->bitmap_pgoff;
        *cwalk->bitmap |= 1ul << pgoff;
        cwalk->start = std::min(cwalk->start, pgoff);
        cwalk->end = std::max(cwalk->end, pgoff + 1);
    }
}

// wp_pte() — mm/mapping_dirty_helpers.c v5.6.
int wp_pte(ptep_t pte, unsigned long addr, unsigned long end, mm_walk* walk) {
    const pte_t ptent = deref(pte);
    if (pte_write(ptent)) {
        const pte_t old_pte = ptep_get_and_clear(walk->mm, addr, pte);  // ptep_modify_prot_start()
        set_pte_at(walk->mm, addr, pte, pte_wrprotect(old_pte));        // ptep_modify_prot_commit()
        note_flush(walk, addr, end);
    }
    return 0;
}

// clean_record_pte() — mm/mapping_dirty_helpers.c v5.6.
int clean_record_pte(ptep_t pte, unsigned long addr, unsigned long end, mm_walk* walk) {
    const pte_t ptent = deref(pte);
    if (pte_dirty(ptent)) {
        const pte_t old_pte = ptep_get_and_clear(walk->mm, addr, pte);  // ptep_modify_prot_start()
        set_pte_at(walk->mm, addr, pte, pte_mkclean(old_pte));          // ptep_modify_prot_commit()
        note_flush(walk, addr, end);
        record_dirty(walk, addr, end);
    }
    return 0;
}

// What the wp or clean walk makes of a huge entry's value (see the file comment).
template <class Entry, class Write, class Dirty, class Wrprotect, class Mkclean>
Entry huge_entry_update(mm_walk* walk, Entry val, unsigned long addr, unsigned long end, Write write, Dirty dirty,
                        Wrprotect wrprotect, Mkclean mkclean) {
    if (!is_clean_walk(walk)) {
        if (!write(val)) return val;
        note_flush(walk, addr, end);
        return wrprotect(val);  // keeps the dirty bit for the clean walk
    }
    if (!dirty(val)) return val;
    note_flush(walk, addr, end);
    record_dirty(walk, addr, end);
    return mkclean(val);
}

pmd_t huge_pmd_update(mm_walk* walk, pmd_t val, unsigned long addr, unsigned long end) {
    return huge_entry_update(walk, val, addr, end, pmd_write, pmd_dirty, pmd_wrprotect, pmd_mkclean);
}
pud_t huge_pud_update(mm_walk* walk, pud_t val, unsigned long addr, unsigned long end) {
    return huge_entry_update(walk, val, addr, end, pud_write, pud_dirty, pud_wrprotect, pud_mkclean);
}

// wp_clean_pmd_entry() — mm/mapping_dirty_helpers.c v5.6: a table is left to
// pte_entry, none is retried (the walk then sees a hole), a huge pmd is not
// split. ptl form: the huge pmd is updated under pmd_trans_huge_lock(), and one
// that changed since the snapshot is retried. 2019 form: the snapshot is
// updated without a lock, relying on huge_fault() blocking during the walk.
int wp_clean_pmd_entry(pmdp_t pmd, unsigned long addr, unsigned long end, mm_walk* walk) {
    const pmd_t pmdval = pmdp_get_lockless(pmd);  // pmd_read_atomic()
    if (pmd_none(pmdval)) {
        walk->action = ACTION_AGAIN;
        return 0;
    }
    if (pmd_present(pmdval) && !pmd_trans_huge(pmdval) && !pmd_devmap(pmdval)) return 0;  // !pmd_trans_unstable()
    walk->action = ACTION_CONTINUE;  // Huge pmd: do not split it.
    if (huge_form(walk) == dirty_tracker_huge::v2019_blocking_huge_fault) {
        const pmd_t updated = huge_pmd_update(walk, pmdval, addr, end);
        if (!pmd_same(updated, pmdval)) set_pmd_at(walk->mm, addr, pmd, updated);
        return 0;
    }
    spinlock_t* ptl = pmd_trans_huge_lock(pmd, walk->vma);
    if (!ptl) {
        walk->action = ACTION_AGAIN;
        return 0;
    }
    // Under the ptl no fault or split can change the entry; the model has no
    // hardware dirtying here, so read-then-set is exact.
    const pmd_t cur = deref(pmd);
    const pmd_t updated = huge_pmd_update(walk, cur, addr, end);
    if (!pmd_same(updated, cur)) set_pmd_at(walk->mm, addr, pmd, updated);
    spin_unlock(ptl);
    return 0;
}

// wp_clean_pud_entry() — mm/mapping_dirty_helpers.c v5.6, as wp_clean_pmd_entry().
// Under the 2019 pagewalk form the walker already holds pud_trans_huge_lock().
int wp_clean_pud_entry(pudp_t pud, unsigned long addr, unsigned long end, mm_walk* walk) {
    const pud_t pudval = pudp_get(pud);  // READ_ONCE(*pud)
    if (pud_none(pudval)) {
        walk->action = ACTION_AGAIN;
        return 0;
    }
    if (!pud_trans_huge(pudval) && !pud_devmap(pudval)) return 0;  // !pud_trans_unstable()
    walk->action = ACTION_CONTINUE;  // Huge pud: do not split it.
    const bool walker_holds_ptl = walk->mm->variants.walk_pud == pagewalk_pud::v2019_pud_trans_huge_lock;
    if (huge_form(walk) == dirty_tracker_huge::v2019_blocking_huge_fault || walker_holds_ptl) {
        const pud_t updated = huge_pud_update(walk, pudval, addr, end);
        if (!pud_same(updated, pudval)) set_pud_at(walk->mm, addr, pud, updated);
        return 0;
    }
    spinlock_t* ptl = pud_trans_huge_lock(pud, walk->vma);
    if (!ptl) {
        walk->action = ACTION_AGAIN;
        return 0;
    }
    const pud_t cur = deref(pud);
    const pud_t updated = huge_pud_update(walk, cur, addr, end);
    if (!pud_same(updated, cur)) set_pud_at(walk->mm, addr, pud, updated);
    spin_unlock(ptl);
    return 0;
}

// wp_clean_pre_vma() — v5.6: stage the TLB flush range (notifiers left out).
int wp_clean_pre_vma(unsigned long start, unsigned long end, mm_walk* walk) {
    auto* wpwalk = static_cast<wp_walk*>(walk->private_data);
    wpwalk->tlbflush_start = end;
    wpwalk->tlbflush_end = start;
    return 0;
}

// wp_clean_post_vma() — v5.6: flush the TLB over what was touched.
void wp_clean_post_vma(mm_walk* walk) {
    auto* wpwalk = static_cast<wp_walk*>(walk->private_data);
    if (wpwalk->tlbflush_end > wpwalk->tlbflush_start) smp_mb();  // flush_tlb_range()
}

// wp_clean_test_walk() — v5.6: only shared writable VMAs (VM_MAYWRITE is
// VM_WRITE in the model).
int wp_clean_test_walk(unsigned long, unsigned long, mm_walk* walk) {
    const unsigned long vm_flags = walk->vma->vm_flags;
    if ((vm_flags & (VM_SHARED | VM_WRITE)) != (VM_SHARED | VM_WRITE)) return 1;
    return 0;
}

const mm_walk_ops clean_walk_ops{&wp_clean_pud_entry, &wp_clean_pmd_entry, &clean_record_pte, nullptr,
                                 &wp_clean_test_walk, &wp_clean_pre_vma,  &wp_clean_post_vma};
const mm_walk_ops wp_walk_ops{&wp_clean_pud_entry, &wp_clean_pmd_entry, &wp_pte, nullptr,
                              &wp_clean_test_walk, &wp_clean_pre_vma,   &wp_clean_post_vma};

}  // namespace

// wp_shared_mapping_range() — mm/mapping_dirty_helpers.c v5.6.
unsigned long wp_shared_mapping_range(address_space* mapping, pgoff_t first_index, pgoff_t nr) {
    wp_walk wpwalk;
    i_mmap_lock_read(mapping);
    VM_BUG_ON(walk_page_mapping(mapping, first_index, nr, &wp_walk_ops, &wpwalk) != 0,
              "WARN_ON(walk_page_mapping()) in wp_shared_mapping_range");
    i_mmap_unlock_read(mapping);
    return wpwalk.total;
}

// clean_record_shared_mapping_range() — mm/mapping_dirty_helpers.c v5.6; the
// bitmap is one word (nr <= 64 in the model).
unsigned long clean_record_shared_mapping_range(address_space* mapping, pgoff_t first_index, pgoff_t nr,
                                                pgoff_t bitmap_pgoff, unsigned long* bitmap, pgoff_t* start,
                                                pgoff_t* end) {
    const bool none_set = *start >= *end;
    clean_walk cwalk;
    cwalk.bitmap_pgoff = bitmap_pgoff;
    cwalk.bitmap = bitmap;
    cwalk.start = none_set ? nr : *start;
    cwalk.end = none_set ? 0 : *end;
    i_mmap_lock_read(mapping);
    VM_BUG_ON(walk_page_mapping(mapping, first_index, nr, &clean_walk_ops, &cwalk.base) != 0,
              "WARN_ON(walk_page_mapping()) in clean_record_shared_mapping_range");
    i_mmap_unlock_read(mapping);
    *start = cwalk.start;
    *end = cwalk.end;
    return cwalk.base.total;
}

}  // namespace mm
MMCHECK_ENGINE_END
