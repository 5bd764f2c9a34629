// The mm operations scenario files can name besides `fault`: each calls the
// model's entry point for that kernel path with the locks its syscall or
// kernel thread takes around it, and checks its arguments against the initial
// state when the file is loaded. Keep each summary in step with the operation
// table in scenarios/README.md.
#include <string>
#include <vector>

#include "model/arch/x86/fault.h"
#include "model/arch/x86/hw_access.h"
#include "model/mm/gup.h"
#include "model/mm/huge_memory.h"
#include "model/mm/khugepaged.h"
#include "model/mm/memory.h"
#include "model/mm/memory_zap_huge.h"
#include "model/mm/migrate_vma_insert.h"
#include "model/mm/mprotect.h"
#include "model/mm/rmap.h"
#include "scenarios/toml/registry.h"

MMCHECK_ENGINE_BEGIN

namespace toml_scenario {

namespace {

using namespace mm;

// ---- argument checks ---------------------------------------------------------

const world_plan::vma* vma_at(const world_plan& plan, unsigned long address) {
    for (const world_plan::vma& v : plan.vmas)
        if (address >= v.start && address < v.end) return &v;
    return nullptr;
}

std::string hex(unsigned long v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%#lx", v);
    return buf;
}

// [start, end) page-aligned, non-empty and inside one VMA of kind `kind`.
std::string check_range_in_vma(const world_plan& plan, const op_args& a, vma_kind kind, const char* kind_name) {
    const unsigned long start = a.number("start"), end = a.number("end");
    if (start >= end || start % PAGE_SIZE != 0 || end % PAGE_SIZE != 0)
        return "needs page-aligned start < end (got " + hex(start) + ", " + hex(end) + ")";
    const world_plan::vma* v = vma_at(plan, start);
    if (v == nullptr || end > v->end) return "[" + hex(start) + ", " + hex(end) + ") is not inside one vma";
    if (v->kind != kind) return "needs a vma of kind \"" + std::string(kind_name) + "\"";
    return {};
}

std::string check_address_in_vma(const world_plan& plan, const op_args& a, bool anon_thp) {
    const unsigned long address = a.number("address");
    const world_plan::vma* v = vma_at(plan, address);
    if (v == nullptr) return "address " + hex(address) + " is not inside a vma";
    if (anon_thp && (v->kind != vma_kind::anon || !(v->flags & VM_HUGEPAGE)))
        return "needs an anon vma with VM_HUGEPAGE at " + hex(address);
    return {};
}

// ---- operations --------------------------------------------------------------

// madvise(MADV_DONTNEED): madvise_dontneed_free() under mmap_lock for read.
const operation_registration madvise_dontneed{
    {"madvise_dontneed",
     "madvise(MADV_DONTNEED) of [start, end) in one anon vma: madvise_dontneed_single_vma() under mmap_lock for "
     "read (zap_huge_pmd() for THPs, zap_pte_range() for ptes)",
     {{"start", param_type::number, true}, {"end", param_type::number, true}},
     [](world& w, const op_args& a) {
         mm_struct* mm = w.mm.get();
         kernel::down_read(&mm->mmap_lock);
         madvise_dontneed_single_vma(find_vma(mm, a.number("start")), a.number("start"), a.number("end"));
         kernel::up_read(&mm->mmap_lock);
     },
     [](const world_plan& plan, const op_args& a) { return check_range_in_vma(plan, a, vma_kind::anon, "anon"); }}};

// NUMA balancing's scan: task_numa_work() (kernel/sched/fair.c v6.6) takes
// mmap_lock for read (a trylock there; it always succeeds here) and marks the
// range PROT_NONE with change_prot_numa().
const operation_registration change_prot_numa_op{
    {"change_prot_numa",
     "NUMA hinting's scan of [start, end) in one anon vma: change_prot_numa() under mmap_lock for read, as "
     "task_numa_work() does (change_huge_pmd() for THPs, change_pte_range() for ptes)",
     {{"start", param_type::number, true}, {"end", param_type::number, true}},
     [](world& w, const op_args& a) {
         mm_struct* mm = w.mm.get();
         kernel::down_read(&mm->mmap_lock);
         change_prot_numa(find_vma(mm, a.number("start")), a.number("start"), a.number("end"));
         kernel::up_read(&mm->mmap_lock);
     },
     [](const world_plan& plan, const op_args& a) { return check_range_in_vma(plan, a, vma_kind::anon, "anon"); }}};

// munmap(): __vm_munmap(), which takes mmap_lock for write and downgrades it.
const operation_registration munmap{
    {"munmap",
     "munmap() of [start, end), whole vmas only: __vm_munmap() (mmap_lock for write, downgraded for the zap; "
     "free_pgtables() frees the tables)",
     {{"start", param_type::number, true}, {"end", param_type::number, true}},
     [](world& w, const op_args& a) { vm_munmap(w.mm.get(), a.number("start"), a.number("end") - a.number("start")); },
     [](const world_plan& plan, const op_args& a) -> std::string {
         const unsigned long start = a.number("start"), end = a.number("end");
         if (start >= end || start % PAGE_SIZE != 0 || end % PAGE_SIZE != 0)
             return "needs page-aligned start < end (got " + hex(start) + ", " + hex(end) + ")";
         for (const world_plan::vma& v : plan.vmas)
             if (v.start < end && v.end > start && (v.start < start || v.end > end))
                 return "must cover whole vmas: the model has no __split_vma() (model/mm/mmap.cpp)";
         return {};
     }}};

// get_user_pages_fast() (model/mm/gup.h): no lock, interrupts off; each page it
// pinned is dropped again with put_page(), as a caller done with it would.
const operation_registration get_user_pages_fast_op{
    {"get_user_pages_fast",
     "get_user_pages_fast() of `pages` pages (default 1) from `address`, FOLL_WRITE if `write`: the lockless walk "
     "with interrupts off (an RCU read-side section in the model), then put_page() of every page it pinned",
     {{"address", param_type::number, true}, {"pages", param_type::number, false}, {"write", param_type::flag, false}},
     [](world& w, const op_args& a) {
         const int nr_pages = a.number("pages") == 0 ? 1 : static_cast<int>(a.number("pages"));
         std::vector<page*> pages(static_cast<std::size_t>(nr_pages), nullptr);
         const int pinned = get_user_pages_fast(w.mm.get(), a.number("address"), nr_pages,
                                                a.flag("write") ? FOLL_WRITE : 0u, pages.data());
         for (int i = 0; i < pinned; ++i) put_page(pages[static_cast<std::size_t>(i)]);
     },
     [](const world_plan& plan, const op_args& a) -> std::string {
         const unsigned long address = a.number("address"), nr_pages = a.number("pages") == 0 ? 1 : a.number("pages");
         if (address % PAGE_SIZE != 0) return "needs a page-aligned address (got " + hex(address) + ")";
         if (nr_pages > HPAGE_PMD_NR) return "at most " + std::to_string(HPAGE_PMD_NR) + " pages";
         if (vma_at(plan, address) == nullptr) return "address " + hex(address) + " is not inside a vma";
         return {};
     }}};

// A THP split as mprotect/madvise/mremap do it: split_huge_pmd_address() under
// mmap_lock for read.
const operation_registration split_huge_pmd_op{
    {"split_huge_pmd",
     "split the huge pmd mapping `address`, if there is one: split_huge_pmd_address() under mmap_lock for read",
     {{"address", param_type::number, true}},
     [](world& w, const op_args& a) {
         mm_struct* mm = w.mm.get();
         kernel::down_read(&mm->mmap_lock);
         split_huge_pmd_address(find_vma(mm, a.number("address")), a.number("address"), false, nullptr);
         kernel::up_read(&mm->mmap_lock);
     },
     [](const world_plan& plan, const op_args& a) { return check_address_in_vma(plan, a, false); }}};

// khugepaged's collapse of one pmd: khugepaged_scan_pmd() holds mmap_lock for
// read and calls collapse_huge_page(), which drops it (the scan is left out).
const operation_registration khugepaged_collapse{
    {"khugepaged_collapse",
     "khugepaged collapses the pte table of the pmd-aligned `address` into a THP: collapse_huge_page() (mmap_lock "
     "for read, then for write)",
     {{"address", param_type::number, true}},
     [](world& w, const op_args& a) {
         mm_struct* mm = w.mm.get();
         kernel::down_read(&mm->mmap_lock);
         collapse_huge_page(mm, a.number("address"));
     },
     [](const world_plan& plan, const op_args& a) -> std::string {
         if (a.number("address") % PMD_SIZE != 0) return "needs a PMD_SIZE-aligned address";
         return check_address_in_vma(plan, a, true);
     }}};

// A device driver's migrate_vma_pages() filling a hole with a freshly allocated
// destination page, under mmap_lock for read; migrate_vma_finalize() drops the
// driver's reference.
const operation_registration migrate_vma_insert{
    {"migrate_vma_insert_page",
     "migrate_vma_pages() fills the hole at `address` with a new anon page: migrate_vma_insert_page() under "
     "mmap_lock for read, then the driver's reference is dropped",
     {{"address", param_type::number, true}},
     [](world& w, const op_args& a) {
         mm_struct* mm = w.mm.get();
         vm_area_struct* vma = find_vma(mm, a.number("address"));
         page* dst = vma_alloc_folio(vma, 0);
         kernel::down_read(&mm->mmap_lock);
         migrate_vma_insert_page(vma, a.number("address"), dst);
         kernel::up_read(&mm->mmap_lock);
         put_page(dst);
     },
     [](const world_plan& plan, const op_args& a) -> std::string {
         const world_plan::vma* v = vma_at(plan, a.number("address"));
         if (v == nullptr || v->kind != vma_kind::anon) return "needs an address inside an anon vma";
         if (a.number("address") % PAGE_SIZE != 0) return "needs a page-aligned address";
         return {};
     }}};

// One user load or store as the CPU runs it: the MMU walks the tables and sets
// A/D bits; on a page fault the kernel handles it and the instruction runs again.
const operation_registration hw_access_op{
    {"hw_access",
     "a user load (or store if `write`) at `address` by the MMU (model/arch/x86/hw_access.h); on a page fault, "
     "do_user_addr_fault() and the access once more",
     {{"address", param_type::number, true}, {"write", param_type::flag, false}},
     [](world& w, const op_args& a) {
         mm_struct* mm = w.mm.get();
         const bool write = a.flag("write");
         if (hw_access(mm, a.number("address"), write) == hw_access_result::done) return;
         do_user_addr_fault(mm, a.number("address"), write ? FAULT_FLAG_WRITE : 0);
         hw_access(mm, a.number("address"), write);
     },
     [](const world_plan& plan, const op_args& a) { return check_address_in_vma(plan, a, false); }}};

}  // namespace

}  // namespace toml_scenario

MMCHECK_ENGINE_END
