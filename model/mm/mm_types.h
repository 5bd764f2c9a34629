// mm_struct, vm_area_struct, vm_fault and vm_operations_struct
// (include/linux/mm_types.h and include/linux/mm.h, v6.6), reduced to the fields the
// modeled paths use.
//
// Simplification: fields that the modeled scenarios never change concurrently
// (a VMA's range and flags, its ops) are plain C++ members, not seam objects; they
// are set up before the threads start. A path that changes one concurrently must
// turn it into a kernel::plain<> or kernel::marked<> first. The per-VMA lock's
// fields (vm_lock, vm_lock_seq, detached; mm_lock_seq) are seam objects: they are
// read without mmap_lock (model/mm/vma_lock.h).
#pragma once

#include <memory>
#include <vector>

#include "model/mm/page.h"
#include "model/mm/variants.h"
#include "model/mm/vma_tree.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using vm_fault_t = unsigned;
inline constexpr vm_fault_t VM_FAULT_OOM = 0x000001;
inline constexpr vm_fault_t VM_FAULT_SIGBUS = 0x000002;
inline constexpr vm_fault_t VM_FAULT_NOPAGE = 0x000100;
inline constexpr vm_fault_t VM_FAULT_RETRY = 0x000400;
inline constexpr vm_fault_t VM_FAULT_FALLBACK = 0x000800;

inline constexpr unsigned FAULT_FLAG_WRITE = 0x01;
inline constexpr unsigned FAULT_FLAG_ALLOW_RETRY = 0x04;
inline constexpr unsigned FAULT_FLAG_USER = 0x40;
// v5.19+: break COW of a page mapped read-only into an exclusive copy, still
// read-only (break_ksm() since v6.1; GUP's FOLL_PIN of a shared page).
inline constexpr unsigned FAULT_FLAG_UNSHARE = 0x400;
inline constexpr unsigned FAULT_FLAG_VMA_LOCK = 0x1000;

inline constexpr unsigned long VM_READ = 0x01;
inline constexpr unsigned long VM_WRITE = 0x02;
inline constexpr unsigned long VM_SHARED = 0x08;
inline constexpr unsigned long VM_PFNMAP = 0x400;
inline constexpr unsigned long VM_HUGEPAGE = 0x20000000;
inline constexpr unsigned long VM_MIXEDMAP = 0x10000000;
inline constexpr unsigned long VM_MERGEABLE = 0x80000000;  // MADV_MERGEABLE: KSM may merge its pages

// is_cow_mapping() — include/linux/mm.h v6.6: private and may be written. The
// model has no VM_MAYWRITE; every private mapping may be made writable.
inline bool is_cow_mapping(unsigned long flags) { return !(flags & VM_SHARED); }

// The pXd_t* of the kernel: which table page, and which slot in it. A handle, not a
// C++ pointer, so that following a stale or wrong one is caught, never undefined.
// `generation` is the table page's allocation generation when the handle was made.
struct pgdp_t { page* table = nullptr; unsigned index = 0; unsigned generation = 0; };
struct pudp_t { page* table = nullptr; unsigned index = 0; unsigned generation = 0; };
struct pmdp_t { page* table = nullptr; unsigned index = 0; unsigned generation = 0; };
struct ptep_t { page* table = nullptr; unsigned index = 0; unsigned generation = 0; };

struct mm_struct;
struct vm_area_struct;

struct vm_fault {
    vm_area_struct* vma = nullptr;
    unsigned flags = 0;
    unsigned long address = 0;
    unsigned long pgoff = 0;
    pudp_t pud;
    pmdp_t pmd;
    pmd_t orig_pmd;
    ptep_t pte;          // .table == nullptr stands for vmf->pte == NULL
    pte_t orig_pte;
    kernel::spinlock_t* ptl = nullptr;
    struct page* page = nullptr;  // do_swap_page(): the device-private page faulted on
};

enum class page_entry_size { PE_SIZE_PTE, PE_SIZE_PMD, PE_SIZE_PUD };

struct vm_operations_struct {
    vm_fault_t (*fault)(vm_fault* vmf) = nullptr;
    vm_fault_t (*huge_fault)(vm_fault* vmf, page_entry_size pe_size) = nullptr;
};

struct vm_area_struct {
    unsigned long vm_start = 0;
    unsigned long vm_end = 0;
    mm_struct* vm_mm = nullptr;
    unsigned long vm_flags = 0;
    unsigned long vm_pgoff = 0;
    const vm_operations_struct* vm_ops = nullptr;
    void* vm_private_data = nullptr;
    bool anonymous = false;  // vma_is_anonymous(): no vm_ops in the kernel
    // vma->vm_file->f_mapping for file VMAs (model/fs/address_space.h); the
    // struct file in between is left out.
    struct address_space* vm_mapping = nullptr;
    // vma->anon_vma as an identity: the model has no anon_vma objects (rmap.h)
    // and no anon_vma_prepare(). 0 is none; 1, the default, is the one anon_vma
    // every VMA a process maps itself is taken to share (as the pieces of one
    // split VMA do: mmap_merge.cpp); anon_vma_fork() gives each VMA of a forked
    // child one of its own (mm->last_anon_vma). lock_vma_under_rcu() only asks
    // whether there is one.
    unsigned anon_vma = 1;
    // Whether anon_vma_fork() linked the parent's anon_vmas into this VMA's
    // anon_vma_chain too, which is then not list_is_singular(): such a VMA does
    // not merge with one of another or no anon_vma (is_mergeable_anon_vma()).
    bool anon_vma_chain_inherited = false;
    // CONFIG_PER_VMA_LOCK, v6.6 (include/linux/mm_types.h): the lock itself
    // (vma->vm_lock->lock, allocated beside the VMA in the kernel), the mm_lock_seq
    // it was write-locked at (-1: never), and whether it left the mm's tree.
    kernel::rw_semaphore vm_lock{{"vma->vm_lock"}};
    kernel::marked<int> vm_lock_seq{-1, {"vma->vm_lock_seq"}};
    kernel::plain<bool> detached{false, {"vma->detached"}};
};

struct mm_struct {
    mm_struct(mem_map& memory, const model_variants& variants);
    mem_map& memory;
    const model_variants& variants;  // which kernel version each path follows
    kernel::rw_semaphore mmap_lock{{"mm->mmap_lock"}};
    kernel::spinlock_t page_table_lock{{"mm->page_table_lock"}};
    // mm->mm_users: the address space's users (the process, and whoever
    // mmget()s it, such as a driver mirroring it); the last mmput() tears it
    // down (fork.h). The mm_struct itself (mm_count, mmdrop()) is the
    // scenario's to free.
    kernel::atomic_t mm_users{1, {"mm->mm_users"}};
    unsigned last_anon_vma = 1;  // the last anon_vma identity given out (vm_area_struct::anon_vma)
    page* pgd = nullptr;
    kernel::atomic_long_t pgtables_bytes{0, {"mm->pgtables_bytes"}};
    // mm->mm_mt (vma_tree.h): changed under mmap_lock for write, walked under RCU
    // by lock_vma_under_rcu().
    vma_tree vmas;
    // mm->mm_lock_seq (v6.6): bumped by every mmap_write_unlock(), which unlocks
    // every VMA write-locked at the old value (vma_end_write_all()).
    kernel::marked<int> mm_lock_seq{0, {"mm->mm_lock_seq"}};
    // mm->flags (MMF_* bits, include/linux/sched/coredump.h v6.6); the model
    // uses MMF_HUGE_ZERO_PAGE only (huge_memory_zero.cpp).
    kernel::marked<unsigned long> flags{0, {"mm->flags"}};
    // mm->notifier_subscriptions (model/mm/mmu_notifier.h): null until a secondary
    // MMU registers; set up before the threads start.
    std::shared_ptr<struct mmu_notifier_subscriptions> notifier_subscriptions;
    // The VMAs vm_area_dup() made for this mm (__split_vma(), mm/mmap.c). VMAs
    // are never freed in the model (mmap.cpp): the mm owns the ones it made,
    // the scenario the others.
    std::vector<std::unique_ptr<vm_area_struct>> vm_area_cachep;
    // mm_cpumask(mm): the CPUs whose TLBs hold this mm's translations, which
    // TLB flushes must reach (model/arch/x86/tlb.h). Empty unless a scenario
    // gives the mm CPUs with a TLB; set up before the threads start.
    std::vector<struct cpu_tlb*> cpu_tlbs;
};

// vm_area_dup() — kernel/fork.c v6.6: a copy of orig's range, flags, ops and
// mapping, with a fresh per-VMA lock, owned by orig's mm (mm_init.cpp).
vm_area_struct* vm_area_dup(vm_area_struct* orig);

vm_area_struct* find_vma(mm_struct* mm, unsigned long addr);
inline bool vma_is_anonymous(const vm_area_struct* vma) { return vma->anonymous; }

}  // namespace mm
MMCHECK_ENGINE_END
