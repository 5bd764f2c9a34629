// Numbers in scenario files: an integer (decimal or 0x hex), or a string holding a
// small expression over the model's constants, such as "3 * PAGE_SIZE" or
// "PUD_SIZE + PMD_SIZE": integers and names joined by + and *, * binding tighter.
// Named constants let a file say what it means and survive a change of the model's
// table geometry (model/mm/pgtable_types.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "scenarios/format/definition.h"

namespace mmcheck::scenario_format {

using constant_lookup = std::function<std::optional<std::uint64_t>(std::string_view name)>;

// The value of `number`; throws file_error at its line when it is not one.
std::uint64_t evaluate(const scenario_definition& def, const located_scalar& number, const constant_lookup& constants);

}  // namespace mmcheck::scenario_format
