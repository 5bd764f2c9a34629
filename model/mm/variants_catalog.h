// The catalogue of model variants (model/mm/variants.h) as data for people:
// `mmcheck list --model-variants` and model/README.md. Engine-independent: each
// engine build's copy of variants_catalog.cpp registers the same table and the
// first registration wins, as scenarios do in the scenario catalog.
#pragma once

#include <span>

namespace mmcheck {

struct model_variant_entry {
    const char* path;     // the model_variants field / enum it selects
    const char* name;     // the enumerator
    const char* kernel;   // the version or commit it models
    const char* changes;  // what it does differently
    bool is_default;      // what model_variants{} picks
};

inline std::span<const model_variant_entry>& model_variant_catalog_slot() {
    static std::span<const model_variant_entry> table;
    return table;
}
inline void register_model_variants(std::span<const model_variant_entry> table) {
    if (model_variant_catalog_slot().empty()) model_variant_catalog_slot() = table;
}
inline std::span<const model_variant_entry> model_variant_catalog() { return model_variant_catalog_slot(); }

}  // namespace mmcheck
