#include "reports/text.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <sstream>

namespace mmcheck {

namespace {

std::string expected_text(const variant_info& variant) {
    return variant.expected.name();
}

std::string got_text(const run_result& result) {
    if (result.outcome == verdict::pass) return "pass";
    if (result.outcome == verdict::incomplete) return "incomplete";
    return std::string(violation_name(result.violation->kind));
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
    return out;
}

}  // namespace

std::string stats_text(const search_stats& s) {
    char text[240];
    std::snprintf(text, sizeof text,
                  "%llu complete executions, %llu runs (%llu sleep-set redundant), max depth %llu steps, "
                  "%.3f s, %.0f executions/s",
                  static_cast<unsigned long long>(s.executions), static_cast<unsigned long long>(s.runs),
                  static_cast<unsigned long long>(s.redundant), static_cast<unsigned long long>(s.max_depth), s.seconds,
                  s.rate());
    return text;
}

std::string reproduce_command(const run_options& options, const run_result& result) {
    return "mmcheck replay " + options.scenario + " --variant " + options.variant + " --engine " +
           std::string(engine_name(options.engine)) + " --schedule " + shell_quote(result.schedule);
}

void write_trace(std::ostream& out, const std::vector<trace_step>& trace) {
    std::size_t fn_width = 8, loc_width = 8, op_width = 9, obj_width = 6;
    std::vector<std::string> locations;
    for (const auto& s : trace) {
        locations.push_back(s.file + ":" + std::to_string(s.line));
        fn_width = std::max(fn_width, s.function.size());
        loc_width = std::max(loc_width, locations.back().size());
        op_width = std::max(op_width, s.op.size());
        obj_width = std::max(obj_width, s.object.size());
    }
    out << std::left << std::setw(5) << "step" << std::setw(4) << "T" << std::setw(fn_width + 2) << "function"
        << std::setw(loc_width + 2) << "location" << std::setw(op_width + 2) << "operation"
        << std::setw(obj_width + 2) << "object" << "value  [locks held]\n";
    for (std::size_t i = 0; i < trace.size(); ++i) {
        const trace_step& s = trace[i];
        std::string value = s.before.empty() ? s.after : s.before + " -> " + s.after;
        out << std::left << std::setw(5) << i + 1 << std::setw(4) << ("T" + std::to_string(s.thread))
            << std::setw(fn_width + 2) << s.function << std::setw(loc_width + 2) << locations[i]
            << std::setw(op_width + 2) << s.op << std::setw(obj_width + 2) << s.object << value;
        if (!s.locks_held.empty()) out << "  [" << join(s.locks_held, ", ") << "]";
        out << "\n";
    }
}

void write_text_report(std::ostream& out, const run_options& options, const scenario_info& scenario,
                       const variant_info& variant, const run_result& result) {
    const bool ok = as_expected(variant, result);
    out << scenario.name << " / " << variant.name << "  (engine " << engine_name(options.engine);
    if (options.search && !scenario.property) out << ", search " << search_name(*options.search);
    out << ")\n";
    out << "  expected: " << expected_text(variant) << "   got: " << got_text(result) << "   -> "
        << (ok ? "AS DECLARED" : "NOT AS DECLARED") << "\n";
    out << "  explored: " << result.executions << " execution" << (result.executions == 1 ? "" : "s") << " in "
        << std::fixed << std::setprecision(3) << result.seconds << " s; bound: " << result.bound
        << (result.exhaustive && result.outcome == verdict::pass ? " (exhausted)" : "") << "\n";
    if (result.stats) out << "  stats: " << stats_text(*result.stats) << "\n";
    for (const auto& note : result.notes) out << "  note: " << note << "\n";
    if (result.violation) {
        const violation_report& v = *result.violation;
        out << "  violation: " << violation_name(v.kind) << ": " << v.message << "\n";
        if (v.thread >= 0)
            out << "    at T" << v.thread << " " << v.function << " (" << v.file << ":" << v.line << ")\n";
    }
    if (!result.trace.empty()) {
        out << "  trace of the failing execution (" << result.trace.size() << " steps):\n";
        std::ostringstream trace;
        write_trace(trace, result.trace);
        std::istringstream lines(trace.str());
        for (std::string line; std::getline(lines, line);) out << "    " << line << "\n";
    }
    if (!result.schedule.empty()) out << "  reproduce: " << reproduce_command(options, result) << "\n";
}

}  // namespace mmcheck
