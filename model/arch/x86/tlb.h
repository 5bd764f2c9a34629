// A CPU's TLB and the flushes that reach it (arch/x86/mm/tlb.c flush_tlb_mm(),
// flush_tlb_page(); Intel SDM vol. 3A 4.10 "Caching Translation Information"),
// and user stores and loads through it.
//
// Simplifications, stated once here: the model otherwise has no TLB
// (hw_access.h walks afresh every access); a cpu_tlb exists only where a
// scenario gives an mm CPUs (mm->cpu_tlbs), to show what a flush that comes too
// late lets a CPU do. One entry per CPU, 4K translations only. A user access
// holds the CPU's tlb lock from the lookup to the data access, and a flush
// takes each CPU's lock to invalidate its entry: the flush IPI is handled
// between instructions, never inside one, and the flusher waits for it, as
// native_flush_tlb_multi() does. Only the flushes on the paths a TLB scenario
// runs reach the TLB: dup_mmap()'s flush_tlb_mm() (fork.cpp) and the
// ptep_clear_flush() of wp_page_copy() (memory_cow.cpp); every other path
// keeps its "no TLB" note. With no cpu_tlbs a flush is no operation at all,
// so other scenarios keep their scheduling points.
#pragma once

#include "model/arch/x86/hw_access.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

struct cpu_tlb {
    kernel::spinlock_t lock{{"cpu->tlb"}};
    kernel::plain<bool> valid{false, {"tlb->valid"}};
    kernel::plain<unsigned long> vaddr{0, {"tlb->vaddr"}};  // page-aligned
    kernel::plain<unsigned long> pfn{0, {"tlb->pfn"}};
    kernel::plain<bool> writable{false, {"tlb->writable"}};
};

// flush_tlb_mm() — arch/x86/include/asm/tlbflush.h v6.6: every CPU of mm.
void flush_tlb_mm(mm_struct* mm);
// flush_tlb_page() — the entry of one address on every CPU of vma's mm.
void flush_tlb_page(vm_area_struct* vma, unsigned long address);

// A user store of `value` (loads: the value) at address by `cpu` running mm:
// the TLB entry if it permits the access, else the page walk, which fills the
// entry; page_fault when neither does (the caller faults and retries). The
// word is page::contents[(address / 8) % 2].
hw_access_result tlb_user_store(cpu_tlb* cpu, mm_struct* mm, unsigned long address, unsigned long value);
hw_access_result tlb_user_load(cpu_tlb* cpu, mm_struct* mm, unsigned long address, unsigned long* value);

// The word of page p that address names (page::contents).
kernel::marked<unsigned long>& user_word(page* p, unsigned long address);

}  // namespace mm
MMCHECK_ENGINE_END
