// The replay string of an mc execution: "mc:" then one token per decision, in order.
// A thread pick is a letter ('a' = thread 0) with an optional run length ("a12" is
// twelve steps of thread 0); a data choice is '.' and the answer ("b3.1a" is three
// steps of thread 1, choice 1, one step of thread 0). Every scheduling point is
// recorded, forced or not, so a replay can check it is on the same path.
// Header-only and engine-independent: the dispatcher validates schedules with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mmcheck::mc {

struct decision {
    bool is_choice = false;
    unsigned value = 0;  // thread index, or the choice's answer
    bool operator==(const decision&) const = default;
};

inline std::string encode_schedule(const std::vector<decision>& ds) {
    std::string out = "mc:";
    for (std::size_t i = 0; i < ds.size();) {
        if (ds[i].is_choice) {
            out += "." + std::to_string(ds[i].value);
            ++i;
            continue;
        }
        std::size_t run = 1;
        while (i + run < ds.size() && !ds[i + run].is_choice && ds[i + run].value == ds[i].value) ++run;
        out += static_cast<char>('a' + ds[i].value);
        if (run > 1) out += std::to_string(run);
        i += run;
    }
    return out;
}

// Null on success; otherwise says what is wrong with the string.
inline std::optional<std::string> decode_schedule(std::string_view s, std::vector<decision>& out) {
    out.clear();
    if (s.substr(0, 3) != "mc:") return "an mc schedule starts with 'mc:'";
    auto number = [&](std::size_t& i, std::uint64_t& n) {
        const std::size_t start = i;
        n = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n < (1ULL << 32)) n = n * 10 + unsigned(s[i++] - '0');
        return i > start;
    };
    for (std::size_t i = 3; i < s.size();) {
        const char c = s[i];
        std::uint64_t n = 0;
        if (c == '.') {
            ++i;
            if (!number(i, n) || n >= (1ULL << 32))
                return "a '.' at offset " + std::to_string(i) + " must be followed by a choice number";
            out.push_back({true, static_cast<unsigned>(n)});
        } else if (c >= 'a' && c <= 'z') {
            ++i;
            std::uint64_t run = 1;
            if (number(i, n)) run = n;
            if (run == 0 || run > 100000000) return "run length at offset " + std::to_string(i) + " is out of range";
            out.insert(out.end(), run, decision{false, static_cast<unsigned>(c - 'a')});
        } else {
            return std::string("unexpected character '") + c + "' at offset " + std::to_string(i) +
                   "; expected a thread letter a-z or '.' and a choice number";
        }
    }
    return std::nullopt;
}

}  // namespace mmcheck::mc
