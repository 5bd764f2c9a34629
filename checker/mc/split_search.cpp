#include "checker/mc/split_search.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <mutex>
#include <thread>

#include "checker/mc/split.h"

namespace mmcheck::mc {

namespace {

constexpr std::size_t none_failed = std::numeric_limits<std::size_t>::max();

// What the workers share: the subtrees to run, the next one to take, and the lowest
// failing subtree so far.
struct work {
    const runtime::setup& what;
    const split_request& request;
    const partition& parts;
    std::vector<std::size_t> mine;  // subtree indexes of this shard, increasing
    std::vector<subtree_result> results;
    std::vector<std::optional<std::vector<decision>>> failing;
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> finished{0};
    std::atomic<std::uint64_t> executions{0};
    std::atomic<std::size_t> first_failing{none_failed};
    std::atomic<bool> out_of_time{false};
    clock_type::time_point start = clock_type::now();
};

void run_subtree(work& w, runtime& rt, std::size_t k) {
    const std::size_t index = w.mine[k];
    auto strategy = w.request.dpor ? make_dpor(w.parts.prefixes[index]) : make_dfs(w.parts.prefixes[index]);
    explore_control control;
    control.start = w.start;
    control.time_budget_seconds = w.request.time_budget_seconds;
    control.first_failing = &w.first_failing;
    control.subtree = index;
    explore_result r = explore(*strategy, rt, w.what, control);
    subtree_result& out = w.results[k];
    out.stats = r.stats;
    out.finished = !r.out_of_time && !r.cut_short;
    if (r.out_of_time) w.out_of_time = true;
    if (r.failing) {
        out.schedule = encode_schedule(*r.failing);
        w.failing[k] = std::move(r.failing);
        std::size_t seen = w.first_failing.load();
        while (index < seen && !w.first_failing.compare_exchange_weak(seen, index)) {
        }
    }
    w.executions += r.stats.executions;
}

void worker(work& w) {
    runtime rt;
    for (;;) {
        const std::size_t k = w.next++;
        if (k >= w.mine.size() || w.mine[k] > w.first_failing.load() || w.out_of_time.load()) return;
        run_subtree(w, rt, k);
        ++w.finished;
    }
}

void print_progress(const work& w) {
    const double elapsed = seconds_since(w.start);
    const std::size_t done = w.finished.load(), total = w.mine.size();
    char estimate[120] = "no estimate before the first subtree is done";
    if (done > 0)
        std::snprintf(estimate, sizeof estimate, "about %.0f s left (elapsed x subtrees left / subtrees done)",
                      elapsed * static_cast<double>(total - done) / static_cast<double>(done));
    std::fprintf(stderr, "progress: %zu/%zu subtrees (%.0f%%), %llu executions in finished subtrees, %.0f s, %s\n",
                 done, total, total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0,
                 static_cast<unsigned long long>(w.executions.load()), elapsed, estimate);
}

void run_workers(work& w, unsigned jobs) {
    std::vector<std::thread> threads;
    for (unsigned j = 1; j < jobs; ++j) threads.emplace_back([&w] { worker(w); });
    if (!w.request.progress) {
        worker(w);
    } else {
        threads.emplace_back([&w] { worker(w); });
        auto last = clock_type::now();
        while (w.finished.load() < w.mine.size() && !w.out_of_time.load() && w.first_failing.load() == none_failed) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            if (clock_type::now() - last < std::chrono::seconds(5)) continue;
            last = clock_type::now();
            print_progress(w);
        }
    }
    for (std::thread& t : threads) t.join();
}

}  // namespace

split_outcome run_split(const runtime::setup& what, const split_request& request) {
    partition parts;
    {
        runtime rt;
        parts = split_tree(rt, what, request.dpor, request.depth);
    }
    work w{what, request, parts, {}, {}, {}};
    for (std::size_t i = request.shard_index; i < parts.prefixes.size(); i += request.shard_count) w.mine.push_back(i);
    w.results.resize(w.mine.size());
    w.failing.resize(w.mine.size());
    for (std::size_t k = 0; k < w.mine.size(); ++k) w.results[k].index = w.mine[k];
    run_workers(w, std::max(request.jobs, 1u));

    split_outcome out;
    split_summary& s = out.summary;
    s.depth = parts.depth;
    s.subtrees = parts.prefixes.size();
    s.prefix_runs = parts.runs;
    s.jobs = std::max(request.jobs, 1u);
    s.shard_index = request.shard_index;
    s.shard_count = request.shard_count;
    const std::size_t failed = w.first_failing.load();
    for (std::size_t k = 0; k < w.mine.size() && w.mine[k] <= failed; ++k) {
        s.results.push_back(std::move(w.results[k]));
        if (w.mine[k] == failed) out.failing = std::move(w.failing[k]);
    }
    out.out_of_time = w.out_of_time.load() && !out.failing;
    return out;
}

}  // namespace mmcheck::mc
