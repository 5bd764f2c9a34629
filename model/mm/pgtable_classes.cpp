// See pgtable_classes.h. One classifier per level, branching in the order the
// lockless readers of v6.6 do (zap_pmd_range(), pmd_trans_huge_lock(),
// __pte_offset_map(), change_pmd_range(), walk_pmd_range(), gup_pmd_range()):
// pmd_none(), then is_swap_pmd() (non-none and !pmd_present(): a migration
// entry), then pmd_trans_huge() || pmd_devmap(), then pmd_bad(), else a table.
//
// x86's pmd_present() is true for a pmd with _PAGE_PSE whatever its PRESENT
// bit, so a pmd under pmdp_invalidate() and a NUMA-hinting PROT_NONE huge pmd
// are a "huge leaf" to every reader: that is why pmdp_invalidate() is the
// kernel's way to rewrite a live huge pmd, and the check must not count it as
// a class of its own.
#include "model/mm/pgtable_classes.h"

#include "model/mm/pgtable_types.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

namespace {

const char* classify_pmd(std::uint64_t value) {
    const pmd_t pmd = __pmd(value);
    if (pmd_none(pmd)) return "none";
    if (!pmd_present(pmd)) return "migration entry";
    if (pmd_trans_huge(pmd) || pmd_devmap(pmd)) return "huge leaf";
    if (pmd_bad(pmd)) return "bad";
    return "pte table";
}

const char* classify_pud(std::uint64_t value) {
    const pud_t pud = __pud(value);
    if (pud_none(pud)) return "none";
    if (!pud_present(pud)) return "non-present entry";
    if (pud_trans_huge(pud) || pud_devmap(pud)) return "huge leaf";
    if (pud_bad(pud)) return "bad";
    return "pmd table";
}

std::string describe_entry(std::uint64_t value) { return describe(pgtable_word{value}); }

const kernel::entry_classes pmd_classes{&classify_pmd, &describe_entry, "pmd"};
const kernel::entry_classes pud_classes{&classify_pud, &describe_entry, "pud"};

}  // namespace

const kernel::entry_classes& pmd_reader_classes() { return pmd_classes; }
const kernel::entry_classes& pud_reader_classes() { return pud_classes; }

}  // namespace mm
MMCHECK_ENGINE_END
