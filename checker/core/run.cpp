#include "checker/core/run.h"

#include <array>
#include <type_traits>
#include <utility>

namespace mmcheck {

namespace {
constexpr std::array engines{
    std::pair{engine_kind::relacy, std::string_view{"relacy"}},
    std::pair{engine_kind::native, std::string_view{"native"}},
    std::pair{engine_kind::mc, std::string_view{"mc"}},
};
constexpr std::array searches{
    std::pair{search_kind::full, std::string_view{"full"}},
    std::pair{search_kind::bounded, std::string_view{"bounded"}},
    std::pair{search_kind::random, std::string_view{"random"}},
    std::pair{search_kind::dpor, std::string_view{"dpor"}},
    std::pair{search_kind::dfs, std::string_view{"dfs"}},
    std::pair{search_kind::pct, std::string_view{"pct"}},
};

template <class Table, class Key>
std::string_view lookup_name(const Table& table, Key key) {
    for (const auto& [k, name] : table)
        if (k == key) return name;
    return "?";
}

template <class Table>
auto lookup_key(const Table& table, std::string_view name)
    -> std::optional<std::remove_cvref_t<decltype(table[0].first)>> {
    for (const auto& [k, n] : table)
        if (n == name) return k;
    return std::nullopt;
}
}  // namespace

std::string_view engine_name(engine_kind engine) { return lookup_name(engines, engine); }

std::optional<engine_kind> engine_of_schedule(std::string_view schedule) {
    const auto colon = schedule.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    return lookup_key(engines, schedule.substr(0, colon));
}
std::optional<engine_kind> parse_engine(std::string_view name) { return lookup_key(engines, name); }
std::string_view search_name(search_kind search) { return lookup_name(searches, search); }
std::optional<search_kind> parse_search(std::string_view name) { return lookup_key(searches, name); }

}  // namespace mmcheck
