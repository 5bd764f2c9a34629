// The operations, invariants and model path variants scenario files can name
// (scenarios/toml/registry.h says how to add one). Keep each entry's summary in
// step with the tables in scenarios/README.md.
#include "model/arch/x86/fault.h"
#include "model/mm/mm_check.h"
#include "model/mm/rmap.h"
#include "scenarios/toml/registry.h"

MMCHECK_ENGINE_BEGIN

namespace toml_scenario {

namespace {

using namespace mm;

// ---- operations (the mm paths: toml_mm_operations.cpp) ----------------------

const operation_registration fault{
    {"fault",
     "a user page fault: do_user_addr_fault() (arch/x86/mm/fault.c) at `address`, a write fault if `write`",
     {{"address", param_type::number, true}, {"write", param_type::flag, false}},
     [](world& w, const op_args& a) {
         do_user_addr_fault(w.mm.get(), a.number("address"), a.flag("write") ? FAULT_FLAG_WRITE : 0);
     },
     nullptr}};

// ---- invariants ------------------------------------------------------------

const invariant_registration census{
    {"page-table-census",
     "every table page reachable exactly once, none leaked, pgtables_bytes consistent (model/mm/mm_check.h)",
     [](world& w) { check_page_tables(w.mm.get()); }}};

const invariant_registration anon_accounting{
    {"anon-accounting", "refcount and mapcount of every anonymous page match its mappings (model/mm/rmap.h)",
     [](world& w) { check_anon_accounting(w.mm.get()); }}};

const invariant_registration no_mapping_outside_vmas{
    {"no-mapping-outside-vmas",
     "no page-table entry maps an address no VMA covers, e.g. one a fault installed after munmap() "
     "(model/mm/mm_check.h)",
     [](world& w) { check_no_mapping_outside_vmas(w.mm.get()); }}};

// ---- model path variants (model/mm/variants.h) -----------------------------

const variant_path_registration fault_pud{path_of("handle_mm_fault_pud", &model_variants::fault_pud,
                                                  {{"v5_4_no_recheck", handle_mm_fault_pud::v5_4_no_recheck},
                                                   {"fixed_625110b5e9da", handle_mm_fault_pud::fixed_625110b5e9da}})};

const variant_path_registration pte_fault{path_of("handle_pte_fault", &model_variants::pte_fault,
                                                  {{"v5_4", handle_pte_fault_form::v5_4},
                                                   {"v6_6", handle_pte_fault_form::v6_6}})};

const variant_path_registration fault_entry{
    path_of("do_user_addr_fault", &model_variants::fault_entry,
            {{"v5_4_mmap_lock", user_addr_fault::v5_4_mmap_lock},
             {"v6_6_per_vma_lock", user_addr_fault::v6_6_per_vma_lock}})};

const variant_path_registration munmap_detach_path{
    path_of("munmap_detach", &model_variants::detach,
            {{"no_vma_start_write", munmap_detach::no_vma_start_write},
             {"v6_6_vma_start_write", munmap_detach::v6_6_vma_start_write}})};

const variant_path_registration vma_read_path{
    path_of("vma_read_lock", &model_variants::vma_read,
            {{"no_seq_recheck", vma_read_lock::no_seq_recheck},
             {"no_detached_check", vma_read_lock::no_detached_check},
             {"v6_6", vma_read_lock::v6_6}})};

const variant_path_registration migrate_insert{
    path_of("migrate_vma_insert", &model_variants::migrate_insert,
            {{"v2017_no_recheck", migrate_vma_insert::v2017_no_recheck},
             {"v4_14_pmd_trans_unstable", migrate_vma_insert::v4_14_pmd_trans_unstable},
             {"v6_5_pte_offset_map_lock", migrate_vma_insert::v6_5_pte_offset_map_lock},
             {"no_pte_none_recheck", migrate_vma_insert::no_pte_none_recheck}})};

const variant_path_registration migrate_collect{
    path_of("migrate_vma_collect", &model_variants::migrate_collect,
            {{"v4_14_early_npages", migrate_vma_collect::v4_14_early_npages},
             {"v4_14", migrate_vma_collect::v4_14},
             {"v6_6", migrate_vma_collect::v6_6}})};

const variant_path_registration mm_pt_iter{
    path_of("hmm_mm_pt_iter", &model_variants::mm_pt_iter,
            {{"seed_2016_lock_recheck", hmm_mm_pt_iter::seed_2016_lock_recheck},
             {"no_recheck", hmm_mm_pt_iter::no_recheck},
             {"second_read", hmm_mm_pt_iter::second_read},
             {"lockless_snapshot", hmm_mm_pt_iter::lockless_snapshot}})};

const variant_path_registration change_pmd{
    path_of("change_huge_pmd", &model_variants::change_pmd,
            {{"v4_10_get_and_clear", change_huge_pmd_update::v4_10_get_and_clear},
             {"fixed_ced108037c2a", change_huge_pmd_update::fixed_ced108037c2a}})};

const variant_path_registration numa_fault_path{
    path_of("numa_hinting_fault", &model_variants::numa_fault,
            {{"no_same_recheck", numa_hinting_fault::no_same_recheck}, {"v6_6", numa_hinting_fault::v6_6}})};

const variant_path_registration table_free_path{
    path_of("tlb_table_free", &model_variants::table_free,
            {{"at_once_without_ipi", tlb_table_free::at_once_without_ipi},
             {"rcu_table_free", tlb_table_free::rcu_table_free}})};

const variant_path_registration device_private_fault_path{
    path_of("device_private_fault", &model_variants::devpriv_fault,
            {{"v6_0_no_ref_migrate_to_ram", device_private_fault::v6_0_no_ref_migrate_to_ram},
             {"fixed_16ce101db85d", device_private_fault::fixed_16ce101db85d}})};

}  // namespace

}  // namespace toml_scenario

MMCHECK_ENGINE_END
