// See tlb.h: one-entry TLBs, their flushes, and user accesses through them.
#include "model/arch/x86/tlb.h"

#include "model/mm/pgtable.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

using namespace kernel;

namespace {

// The flush IPI's handler on one CPU (flush_tlb_func()): drop the entry if it
// translates address, or whatever it holds for a full flush.
void invalidate_tlb_entry(cpu_tlb* cpu, bool all, unsigned long address) {
    spin_lock(&cpu->lock);
    if (cpu->valid.read() && (all || cpu->vaddr.read() == (address & PAGE_MASK))) cpu->valid.write(false);
    spin_unlock(&cpu->lock);
}

// One user access: the TLB first, then the walk and a fill.
hw_access_result tlb_user_access(cpu_tlb* cpu, mm_struct* mm, unsigned long address, bool write, unsigned long* value) {
    spin_lock(&cpu->lock);
    unsigned long pfn = 0;
    const bool hit = cpu->valid.read() && cpu->vaddr.read() == (address & PAGE_MASK) && (!write || cpu->writable.read());
    if (hit) {
        pfn = cpu->pfn.read();
    } else {
        if (hw_access(mm, address, write, &pfn) != hw_access_result::done) {
            spin_unlock(&cpu->lock);
            return hw_access_result::page_fault;
        }
        cpu->valid.write(true);
        cpu->vaddr.write(address & PAGE_MASK);
        cpu->pfn.write(pfn);
        cpu->writable.write(write);  // the walk set D only for a store; a load's entry stays read-only
    }
    marked<unsigned long>& word = user_word(pfn_to_page(mm->memory, pfn), address);
    if (write)
        WRITE_ONCE(word, *value);
    else
        *value = READ_ONCE(word);
    spin_unlock(&cpu->lock);
    return hw_access_result::done;
}

}  // namespace

marked<unsigned long>& user_word(page* p, unsigned long address) {
    return p->contents[(address / sizeof(unsigned long)) % page::nr_content_words];
}

void flush_tlb_mm(mm_struct* mm) {
    for (cpu_tlb* cpu : mm->cpu_tlbs) invalidate_tlb_entry(cpu, true, 0);
}

void flush_tlb_page(vm_area_struct* vma, unsigned long address) {
    for (cpu_tlb* cpu : vma->vm_mm->cpu_tlbs) invalidate_tlb_entry(cpu, false, address);
}

hw_access_result tlb_user_store(cpu_tlb* cpu, mm_struct* mm, unsigned long address, unsigned long value) {
    return tlb_user_access(cpu, mm, address, true, &value);
}

hw_access_result tlb_user_load(cpu_tlb* cpu, mm_struct* mm, unsigned long address, unsigned long* value) {
    return tlb_user_access(cpu, mm, address, false, value);
}

}  // namespace mm
MMCHECK_ENGINE_END
