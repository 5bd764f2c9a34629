#include "reports/report.h"

#include <array>

namespace mmcheck {

namespace {
struct kind_row {
    violation_kind kind;
    std::string_view name;
    std::string_view meaning;
};
constexpr std::array kind_table{
#define VIOLATION(id, name, meaning) kind_row{violation_kind::id, name, meaning},
#include "model/kernel/violation.def"
#undef VIOLATION
};
}  // namespace

std::string_view violation_name(violation_kind kind) {
    return kind_table[static_cast<std::size_t>(kind)].name;
}

std::string_view violation_meaning(violation_kind kind) {
    return kind_table[static_cast<std::size_t>(kind)].meaning;
}

std::optional<violation_kind> parse_violation(std::string_view name) {
    for (const auto& row : kind_table)
        if (row.name == name) return row.kind;
    return std::nullopt;
}

std::vector<violation_kind> all_violation_kinds() {
    std::vector<violation_kind> kinds;
    for (const auto& row : kind_table) kinds.push_back(row.kind);
    return kinds;
}

}  // namespace mmcheck
