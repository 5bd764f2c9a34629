// describe(pgtable_word): how traces print an entry, whatever its level.
#include <string>

#include "model/mm/pgtable_types.h"
#include "model/mm/swapops.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

namespace {
// A non-present pte: which special swap entry (model/mm/swapops.h) and its pfn.
std::string describe_swap(std::uint64_t v) {
    const swp_entry_t e{v};
    const char* kind = "swap";
    if (is_writable_migration_entry(e)) kind = "migration-write";
    else if (is_migration_entry(e)) kind = "migration-read";
    else if (is_writable_device_private_entry(e)) kind = "device-private-write";
    else if (is_device_private_entry(e)) kind = "device-private-read";
    return std::string(kind) + " pfn " + std::to_string(swp_offset(e));
}
}  // namespace

std::string describe(pgtable_word w) {
    const std::uint64_t v = w.val;
    if (v == 0) return "none";
    const unsigned long pfn = (v & PTE_PFN_MASK) >> PAGE_SHIFT;
    std::string s;
    if (!(v & _PAGE_PRESENT) && !(v & _PAGE_PSE) && !(v & _PAGE_PROTNONE)) {
        return describe_swap(v);
    } else if ((v & _PAGE_PSE) && !(v & _PAGE_PRESENT)) {
        // pmd_mkinvalid() clears PROTNONE too: with it, NUMA hinting's PROT_NONE.
        s = (v & _PAGE_PROTNONE) ? "protnone huge" : "invalidated huge";
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
