// See mirror.h. The fault follows the driver pattern of Documentation/mm/hmm.rst
// (v6.6) as nouveau_range_fault() implements it; the notifier callbacks follow
// nouveau_svm_range_invalidate() (interval) and, for change_pte,
// kvm_mmu_notifier_change_pte() with the 2019 posting's flag.
#include "model/drivers/mirror.h"

#include <algorithm>
#include <cerrno>
#include <string>

#include "model/mm/fork.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

std::string describe(mirror_pte e) {
    if (!e.valid) return "none";
    return "pfn " + std::to_string(e.pfn) + (e.write ? " rw" : " ro");
}

namespace {

mirror* of_interval(mmu_interval_notifier* sub) { return static_cast<mirror_interval_notifier*>(sub)->owner; }
mirror* of_subscription(mmu_notifier* mn) { return static_cast<mirror_subscription*>(mn)->owner; }

bool covers(const mirror* m, unsigned long address) {
    return address >= m->start && address < m->start + MIRROR_PAGES * PAGE_SIZE;
}
unsigned slot(const mirror* m, unsigned long address) { return (address - m->start) >> PAGE_SHIFT; }

// What the CPU page table grants at address, read entry by entry as the MMU
// would (a checker read: the tables of the modeled scenarios are never freed).
mirror_pte cpu_entry(mm_struct* mm, unsigned long address) {
    const pgdp_t pgd = pgd_offset(mm, address);
    if (pgd_val(deref(pgd)) == 0) return {};
    const pudp_t pud = pud_offset(pgd, address);
    const pud_t pudval = deref(pud);
    if (pud_none(pudval) || !pud_present(pudval) || pud_leaf(pudval)) return {};
    const pmdp_t pmd = pmd_offset(pud, address);
    const pmd_t pmdval = deref(pmd);
    if (pmd_none(pmdval) || !(pmd_val(pmdval) & _PAGE_PRESENT)) return {};
    if (pmd_leaf(pmdval))
        return {static_cast<std::uint32_t>(pmd_pfn(pmdval) + pte_index(address)), true, pmd_write(pmdval)};
    const pte_t pte = deref(pte_offset_map(pmd, address));
    if (!(pte_val(pte) & _PAGE_PRESENT)) return {};
    return {static_cast<std::uint32_t>(pte_pfn(pte)), true, pte_write(pte)};
}

// Clears or keeps the entries an invalidation covers; caller holds m->lock.
void invalidate_entries(mirror* m, const mmu_notifier_range* range) {
    const bool keep = m->use_change_pte && mmu_notifier_range_use_change_pte(range);
    for (unsigned i = 0; i < MIRROR_PAGES; ++i) {
        const unsigned long address = m->start + i * PAGE_SIZE;
        if (address < range->start || address >= range->end) continue;
        if (keep)
            m->pending_change_pte[i].write(true);
        else if (m->pt[i].read().valid)
            m->pt[i].write(mirror_pte{});
    }
}

// The interval notifier's invalidate(), as nouveau_svm_range_invalidate().
bool mirror_invalidate(mmu_interval_notifier* interval_sub, const mmu_notifier_range* range, unsigned long cur_seq) {
    mirror* m = of_interval(interval_sub);
    if (mmu_notifier_range_blockable(range))
        spin_lock(&m->lock);
    else if (!spin_trylock(&m->lock))
        return false;
    mmu_interval_set_seq(interval_sub, cur_seq);
    invalidate_entries(m, range);
    spin_unlock(&m->lock);
    return true;
}

// change_pte(), as kvm_mmu_notifier_change_pte(): only an entry kept through a
// flagged bracket is updated in place; a cleared one stays clear.
void mirror_change_pte(mmu_notifier* mn, mm_struct*, unsigned long address, pte_t pte) {
    mirror* m = of_subscription(mn);
    if (!covers(m, address)) return;
    const unsigned i = slot(m, address);
    spin_lock(&m->lock);
    if (m->pending_change_pte[i].read()) {
        const mirror_pte old_entry = m->pt[i].read();
        if (old_entry.valid && !change_pte_transition_allowed(old_entry, pte))
            report_violation(violation_kind::illegal_change_pte,
                             "change_pte under MMU_NOTIFIER_USE_CHANGE_PTE at address " + std::to_string(address) +
                                 " from " + describe(old_entry) + " to " + describe(pgtable_word{pte_val(pte)}) +
                                 ": the mirror kept " + describe(old_entry) +
                                 " through the bracket, a stale page the CPU replaced");
        const bool present = pte_val(pte) & _PAGE_PRESENT;
        m->pt[i].write(present ? mirror_pte{static_cast<std::uint32_t>(pte_pfn(pte)), true, pte_write(pte)}
                               : mirror_pte{});
        m->pending_change_pte[i].write(false);
    }
    spin_unlock(&m->lock);
}

// invalidate_range_end(): the place the coherence invariant is checked.
void mirror_invalidate_range_end(mmu_notifier* mn, const mmu_notifier_range* range) {
    mirror* m = of_subscription(mn);
    const unsigned long start = std::max(range->start, m->start);
    const unsigned long end = std::min(range->end, m->start + MIRROR_PAGES * PAGE_SIZE);
    if (start >= end) return;
    spin_lock(&m->lock);
    for (unsigned long a = start; a < end; a += PAGE_SIZE) m->pending_change_pte[slot(m, a)].write(false);
    check_mirror_coherent(m, start, end, "after invalidate_range_end()");
    spin_unlock(&m->lock);
}

const mmu_interval_notifier_ops mirror_interval_ops{&mirror_invalidate};
const mmu_notifier_ops mirror_mn_ops{nullptr, &mirror_invalidate_range_end, &mirror_change_pte};
const mmu_notifier_ops mirror_mn_ops_no_change_pte{nullptr, &mirror_invalidate_range_end, nullptr};

// Maps the snapshot under m->lock; first the check that its sequence held.
void mirror_update(mirror* m, unsigned long address, unsigned long hmm_pfn, unsigned long seq) {
    if (plain_deref(m->notifier.invalidate_seq) != seq)
        report_violation(violation_kind::mirror_incoherent,
                         "the mirror maps an hmm_range_fault() snapshot of address " + std::to_string(address) +
                             " (pfn " + std::to_string(hmm_pfn_to_pfn(hmm_pfn)) + ") taken at interval sequence " +
                             std::to_string(seq) + ", which an invalidation has since moved: the pfn may be stale");
    if (!(hmm_pfn & HMM_PFN_VALID)) return;
    m->pt[slot(m, address)].write(
        mirror_pte{static_cast<std::uint32_t>(hmm_pfn_to_pfn(hmm_pfn)), true, (hmm_pfn & HMM_PFN_WRITE) != 0});
}

}  // namespace

mirror::mirror(mm_struct* owner, unsigned long first, bool change_pte)
    : mm(owner), start(first), use_change_pte(change_pte) {
    notifier.owner = this;
    mn.owner = this;
}

void mirror_register(mirror* m) {
    mmu_interval_notifier_insert(&m->notifier, m->mm, m->start, MIRROR_PAGES * PAGE_SIZE, &mirror_interval_ops);
    m->mn.ops = m->use_change_pte ? &mirror_mn_ops : &mirror_mn_ops_no_change_pte;
    mmu_notifier_register(&m->mn, m->mm);
}

void mirror_map_initial(mirror* m, unsigned long address, unsigned long pfn, bool write) {
    m->pt[slot(m, address)].write(mirror_pte{static_cast<std::uint32_t>(pfn), true, write});
}

namespace {

// driver_populate_range()'s loop (hmm.rst, as nouveau_range_fault()): fault the
// page in, then update the mirror under its lock unless an invalidation ran.
int mirror_range_fault(mirror* m, mm_struct* mm, unsigned long address, bool write) {
    unsigned long pfn = HMM_PFN_REQ_FAULT | (write ? HMM_PFN_REQ_WRITE : 0);
    hmm_range range;
    range.notifier = &m->notifier;
    range.start = address & PAGE_MASK;
    range.end = range.start + PAGE_SIZE;
    range.hmm_pfns = &pfn;
    range.pfn_flags_mask = ~0ul;
    for (;;) {
        range.notifier_seq = mmu_interval_read_begin(range.notifier);
        down_read(&mm->mmap_lock);
        const int ret = hmm_range_fault(&range);
        up_read(&mm->mmap_lock);
        if (ret == -EBUSY) {
            pfn = HMM_PFN_REQ_FAULT | (write ? HMM_PFN_REQ_WRITE : 0);
            continue;
        }
        if (ret) return ret;
        spin_lock(&m->lock);
        if (mm->variants.mirror == mirror_driver::read_retry &&
            mmu_interval_read_retry(range.notifier, range.notifier_seq)) {
            spin_unlock(&m->lock);
            pfn = HMM_PFN_REQ_FAULT | (write ? HMM_PFN_REQ_WRITE : 0);
            continue;
        }
        /* Use pfns array content to update device page table, under the update lock */
        mirror_update(m, range.start, pfn, range.notifier_seq);
        spin_unlock(&m->lock);
        return 0;
    }
}

}  // namespace

// The driver's fault (Documentation/mm/hmm.rst v6.6, "driver_populate_range"),
// with the mm reference the document takes first (mmget_not_zero()), dropped on
// every return as lib/test_hmm.c's dmirror_fault() does.
int mirror_fault(mirror* m, unsigned long address, bool write) {
    mm_struct* mm = m->mm;
    if (!mmget_not_zero(mm)) return -EFAULT;
    const int ret = mirror_range_fault(m, mm, address, write);
    mmput(mm);
    return ret;
}

void check_mirror_coherent(mirror* m, unsigned long start, unsigned long end, const char* when) {
    for (unsigned long address = start; address < end; address += PAGE_SIZE) {
        const mirror_pte dev = m->pt[slot(m, address)].read();
        if (!dev.valid) continue;
        const mirror_pte cpu = cpu_entry(m->mm, address);
        if (cpu.valid && cpu.pfn == dev.pfn && (cpu.write || !dev.write)) continue;
        report_violation(violation_kind::mirror_incoherent,
                         std::string(when) + ": the mirror maps address " + std::to_string(address) + " to " +
                             describe(dev) + " but the CPU page table holds " + describe(cpu) +
                             (cpu.valid && cpu.pfn == dev.pfn ? " (the mirror is more permissive)" : " (a stale pfn)"));
    }
}

bool change_pte_transition_allowed(mirror_pte old_entry, pte_t new_pte) {
    const bool same_pfn = old_entry.pfn == pte_pfn(new_pte);
    const bool new_write = pte_write(new_pte);
    if (old_entry.write) return same_pfn && !new_write;  // rw -> ro, same pfn
    return same_pfn || !new_write;                       // ro -> rw same pfn; ro -> ro new pfn
}

}  // namespace mm
MMCHECK_ENGINE_END
