// See dpor_races.h. Happens-before is kept as one vector clock per event (clock
// component = the thread's own step count), per-object histories give each event's
// immediate dependent predecessors, and a predecessor p is a race (p <. e') when no
// other immediate predecessor of e' already has p in its clock.
#include "checker/mc/dpor_races.h"

#include "checker/mc/vclock.h"

namespace mmcheck::mc {

namespace {

struct history {
    int last_write = -1;
    std::array<int, max_threads> reads{-1, -1, -1, -1};   // since the last write
    std::array<int, max_threads> shared{-1, -1, -1, -1};  // since the last write
    std::array<int, max_threads> adds{-1, -1, -1, -1};    // since the last write
};

class analysis {
public:
    explicit analysis(const event_log& log) : log_(log), clocks_(log.events.size()), tick_(log.events.size()) {}

    std::vector<reversal> run(std::size_t from) {
        std::vector<reversal> out;
        const auto& ev = log_.events;
        for (std::size_t j = 0; j < ev.size(); ++j) {
            const int t = ev[j].thread;
            tick_[j] = ++steps_[t];
            preds_.clear();
            visit(j, [&](std::uint32_t obj, access_kind kind) { collect(obj, kind, t); });
            for (int u = 0; u < max_threads; ++u)
                if (u != t && last_any_[u] >= 0) preds_.push_back(last_any_[u]);
            vclock c = last_[t] >= 0 ? clocks_[last_[t]] : vclock{};
            const vclock before = c;
            c.c[t] = tick_[j];
            for (int p : preds_) c.join(clocks_[p]);
            clocks_[j] = c;
            if (j >= from) races(j, before, out);
            visit(j, [&](std::uint32_t obj, access_kind kind) { record(obj, kind, t, static_cast<int>(j)); });
            last_[t] = static_cast<int>(j);
        }
        return out;
    }

private:
    // Calls f(object, kind) for each access of event j.
    template <class F>
    void visit(std::size_t j, F&& f) {
        const event& e = log_.events[j];
        if (e.role == step_role::retry && e.reads_end > e.reads_begin) {
            for (std::uint32_t i = e.reads_begin; i < e.reads_end; ++i) f(log_.retry_reads[i], access_kind::read);
            return;
        }
        f(e.acc.obj, e.acc.kind);
    }

    history& hist(std::uint32_t obj) {
        if (obj >= objects_.size()) objects_.resize(obj + 1);
        return objects_[obj];
    }

    void collect(std::uint32_t obj, access_kind kind, int t) {
        auto add = [&](int p) {
            if (p >= 0 && log_.events[p].thread != t) preds_.push_back(p);
        };
        if (kind == access_kind::none) return;
        if (kind == access_kind::any) {
            for (int u = 0; u < max_threads; ++u) add(last_[u]);
            return;
        }
        history& h = hist(obj);
        add(h.last_write);
        for (int u = 0; u < max_threads; ++u) {
            // A read sees the adds before it; an add changes what reads saw;
            // a write depends on everything since the last one.
            if (kind == access_kind::read || kind == access_kind::write) add(h.adds[u]);
            if (kind == access_kind::add || kind == access_kind::write) add(h.reads[u]);
            if (kind == access_kind::write) add(h.shared[u]);
        }
    }

    void record(std::uint32_t obj, access_kind kind, int t, int j) {
        if (kind == access_kind::none) return;
        if (kind == access_kind::any) {
            last_any_[t] = j;
            return;
        }
        history& h = hist(obj);
        if (kind == access_kind::read) h.reads[t] = j;
        if (kind == access_kind::shared) h.shared[t] = j;
        if (kind == access_kind::add) h.adds[t] = j;
        if (kind == access_kind::write) h = history{j, {-1, -1, -1, -1}, {-1, -1, -1, -1}, {-1, -1, -1, -1}};
    }

    bool covers(const vclock& c, int event) const { return c.covers(log_.events[event].thread, tick_[event]); }

    void races(std::size_t j, const vclock& before, std::vector<reversal>& out) {
        const event& e = log_.events[j];
        for (int p : preds_) {
            if (covers(before, p)) continue;
            bool immediate = true;
            for (int q : preds_)
                if (q != p && covers(clocks_[q], p)) immediate = false;
            if (!immediate) continue;
            int at = p;
            if (e.role == step_role::blocking_acquire && log_.events[p].role == step_role::release) {
                at = log_.events[p].pair;
                if (at < 0 || covers(before, at)) continue;
            }
            out.push_back({static_cast<std::size_t>(at), initials(static_cast<std::size_t>(at), j)});
        }
    }

    // I[E'](v) for v = notdep(at, E).j: a thread is an initial if its first event
    // in v has no earlier event of v before it in happens-before.
    thread_mask initials(std::size_t at, std::size_t j) const {
        std::array<int, max_threads> first{-1, -1, -1, -1};
        thread_mask result = 0;
        for (std::size_t i = at + 1; i < j; ++i) {
            if (covers(clocks_[i], static_cast<int>(at))) continue;  // after e: not in v
            const int u = log_.events[i].thread;
            if (first[u] >= 0) continue;
            bool initial = true;
            for (int w = 0; w < max_threads; ++w)
                if (first[w] >= 0 && covers(clocks_[i], first[w])) initial = false;
            if (initial) result |= bit(u);
            first[u] = static_cast<int>(i);
        }
        // e' itself, if its thread has no earlier event in v: its clock in E may
        // include events outside v, so test its immediate predecessors instead.
        const int u = log_.events[j].thread;
        if (first[u] < 0) {
            bool initial = true;
            for (int p : preds_)
                if (in_v(p, at)) initial = false;
            if (initial) result |= bit(u);
        }
        return result;
    }

    bool in_v(int event, std::size_t at) const {
        return static_cast<std::size_t>(event) > at && !covers(clocks_[event], static_cast<int>(at));
    }

    const event_log& log_;
    std::vector<vclock> clocks_;
    std::vector<std::uint32_t> tick_;
    std::vector<history> objects_;
    std::vector<int> preds_;
    std::array<std::uint32_t, max_threads> steps_{};
    std::array<int, max_threads> last_{-1, -1, -1, -1};
    std::array<int, max_threads> last_any_{-1, -1, -1, -1};
};

}  // namespace

std::vector<reversal> find_reversals(const event_log& log, std::size_t from) {
    return analysis(log).run(from);
}

}  // namespace mmcheck::mc
