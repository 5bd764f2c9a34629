// Reports are data: an engine fills these structs from an execution; writers in
// reports/ turn them into text or machine formats. Nothing here prints.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mmcheck {

enum class violation_kind {
#define VIOLATION(id, name, meaning) id,
#include "model/kernel/violation.def"
#undef VIOLATION
};

std::string_view violation_name(violation_kind kind);
std::string_view violation_meaning(violation_kind kind);
std::optional<violation_kind> parse_violation(std::string_view name);
std::vector<violation_kind> all_violation_kinds();

// One seam operation of one model thread, already formatted for people.
struct trace_step {
    int thread = 0;
    std::string function;   // model function, unqualified (e.g. "__handle_mm_fault")
    std::string file;       // path relative to the repository
    unsigned line = 0;
    std::string op;         // seam operation ("READ_ONCE", "spin_lock", ...)
    std::string object;     // what it touched ("pud@pfn2[0]", "mm->page_table_lock")
    std::string before;     // decoded value before (empty when not meaningful)
    std::string after;      // decoded value after / value read
    std::vector<std::string> locks_held;  // after the step
};

struct violation_report {
    violation_kind kind = violation_kind::none;
    std::string message;
    int thread = -1;
    std::string function;
    std::string file;
    unsigned line = 0;
};

}  // namespace mmcheck
