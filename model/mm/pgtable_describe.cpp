// describe(pgtable_word): how traces print an entry, whatever its level.
#include <string>

#include "model/mm/pgtable_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

std::string describe(pgtable_word w) {
    const std::uint64_t v = w.val;
    if (v == 0) return "none";
    const unsigned long pfn = (v & PTE_PFN_MASK) >> PAGE_SHIFT;
    std::string s;
    if (!(v & _PAGE_PRESENT) && !(v & _PAGE_PSE) && !(v & _PAGE_PROTNONE)) {
        s = "swap/migration";
    } else if ((v & _PAGE_PSE) && !(v & _PAGE_PRESENT)) {
        s = "invalidated huge";
    } else if (v & _PAGE_PSE) {
        s = "huge";
    } else if ((v & ~PTE_PFN_MASK) == _PAGE_TABLE) {
        return "table(pfn " + std::to_string(pfn) + ")";
    } else if (v & _PAGE_PROTNONE && !(v & _PAGE_PRESENT)) {
        s = "protnone";
    } else {
        s = "page";
    }
    s += " pfn " + std::to_string(pfn);
    if (v & _PAGE_RW) s += " rw";
    if (v & _PAGE_DEVMAP) s += " devmap";
    if (v & _PAGE_SPECIAL) s += " special";
    if (v & _PAGE_ACCESSED) s += " young";
    if (v & _PAGE_DIRTY) s += " dirty";
    return s;
}

}  // namespace mm
MMCHECK_ENGINE_END
