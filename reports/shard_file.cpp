#include "reports/shard_file.h"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "reports/json.h"

namespace mmcheck {

namespace {

constexpr const char* format_name = "mmcheck-shard-1";

nlohmann::json subtree_json(const subtree_result& r) {
    nlohmann::json j = stats_json(r.stats);
    j["index"] = r.index;
    j["finished"] = r.finished;
    j["schedule"] = r.schedule;
    return j;
}

subtree_result subtree_of(const nlohmann::json& j) {
    subtree_result r;
    r.index = j.at("index").get<std::size_t>();
    r.finished = j.at("finished").get<bool>();
    r.schedule = j.at("schedule").get<std::string>();
    r.stats.executions = j.at("executions").get<std::uint64_t>();
    r.stats.runs = j.at("runs").get<std::uint64_t>();
    r.stats.redundant = j.at("sleep_set_redundant").get<std::uint64_t>();
    r.stats.max_depth = j.at("max_depth").get<std::uint64_t>();
    r.stats.seconds = j.at("seconds").get<double>();
    return r;
}

shard_file shard_of(const nlohmann::json& j) {
    if (j.at("format").get<std::string>() != format_name)
        throw std::invalid_argument("format is not " + std::string(format_name));
    shard_file f;
    f.scenario = j.at("scenario").get<std::string>();
    f.variant = j.at("variant").get<std::string>();
    f.search = j.at("search").get<std::string>();
    f.time_budget_seconds = j.at("time_budget_seconds").get<double>();
    f.out_of_time = j.at("out_of_time").get<bool>();
    f.seconds = j.at("seconds").get<double>();
    const nlohmann::json& s = j.at("split");
    f.split.depth = s.at("depth").get<unsigned>();
    f.split.subtrees = s.at("subtrees").get<std::size_t>();
    f.split.prefix_runs = s.at("prefix_runs").get<std::uint64_t>();
    f.split.jobs = s.at("jobs").get<unsigned>();
    f.split.shard_index = s.at("shard_index").get<unsigned>();
    f.split.shard_count = s.at("shard_count").get<unsigned>();
    for (const nlohmann::json& r : s.at("results")) f.split.results.push_back(subtree_of(r));
    if (f.split.shard_count == 0 || f.split.shard_index >= f.split.shard_count)
        throw std::invalid_argument("shard index not below the shard count");
    return f;
}

std::string describe(const shard_file& f) {
    return f.scenario + " / " + f.variant + ", search " + f.search + ", split depth " + std::to_string(f.split.depth) +
           ", " + std::to_string(f.split.subtrees) + " subtrees, " + std::to_string(f.split.shard_count) + " shards";
}

}  // namespace

shard_file make_shard_file(const run_options& options, const run_result& result) {
    shard_file f;
    f.scenario = options.scenario;
    f.variant = options.variant;
    f.search = options.search ? std::string(search_name(*options.search)) : "dpor";
    f.time_budget_seconds = options.time_budget_seconds;
    f.out_of_time = result.outcome == verdict::incomplete;
    f.seconds = result.seconds;
    if (result.split) f.split = *result.split;
    return f;
}

void write_shard_file(std::ostream& out, const shard_file& f) {
    nlohmann::json results = nlohmann::json::array();
    for (const subtree_result& r : f.split.results) results.push_back(subtree_json(r));
    const nlohmann::json j{{"format", format_name},
                           {"scenario", f.scenario},
                           {"variant", f.variant},
                           {"search", f.search},
                           {"time_budget_seconds", f.time_budget_seconds},
                           {"out_of_time", f.out_of_time},
                           {"seconds", f.seconds},
                           {"split",
                            {{"depth", f.split.depth},
                             {"subtrees", f.split.subtrees},
                             {"prefix_runs", f.split.prefix_runs},
                             {"jobs", f.split.jobs},
                             {"shard_index", f.split.shard_index},
                             {"shard_count", f.split.shard_count},
                             {"results", results}}}};
    out << j.dump(1) << "\n";
}

shard_file read_shard_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw usage_error("cannot read shard file '" + path + "'");
    try {
        return shard_of(nlohmann::json::parse(in));
    } catch (const std::exception& e) {
        throw usage_error("'" + path + "' is not a shard result file of `mmcheck run --shard` (" + e.what() + ")");
    }
}

shard_file merge_shards(const std::vector<std::pair<std::string, shard_file>>& shards) {
    if (shards.empty()) throw usage_error("no shard files given; pass every FILE written by `mmcheck run --shard i/n`");
    const shard_file& first = shards.front().second;
    const unsigned count = first.split.shard_count;
    std::vector<const std::string*> seen(count, nullptr);
    shard_file merged = first;
    merged.split.results.clear();
    merged.split.shard_index = 0;
    merged.split.shard_count = 1;
    for (const auto& [path, f] : shards) {
        if (describe(f) != describe(first))
            throw usage_error("'" + path + "' is from another search (" + describe(f) + ") than '" +
                              shards.front().first + "' (" + describe(first) + ")");
        const std::string*& slot = seen[f.split.shard_index];
        if (slot != nullptr)
            throw usage_error("shard " + std::to_string(f.split.shard_index) + "/" + std::to_string(count) +
                              " is given twice: '" + *slot + "' and '" + path + "'");
        slot = &path;
        merged.out_of_time = merged.out_of_time || f.out_of_time;
        merged.seconds = std::max(merged.seconds, f.seconds);
        merged.split.results.insert(merged.split.results.end(), f.split.results.begin(), f.split.results.end());
    }
    std::string missing;
    for (unsigned i = 0; i < count; ++i)
        if (seen[i] == nullptr) missing += (missing.empty() ? "" : ", ") + std::to_string(i);
    if (!missing.empty())
        throw usage_error("missing shard(s) " + missing + " of " + std::to_string(count) +
                          "; run `mmcheck run ... --shard i/" + std::to_string(count) + "` for each and pass every file");
    std::sort(merged.split.results.begin(), merged.split.results.end(),
              [](const subtree_result& a, const subtree_result& b) { return a.index < b.index; });
    return merged;
}

}  // namespace mmcheck
