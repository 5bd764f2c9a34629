// Unit tests of the schedule codec, the dependence relation and the DPOR race
// analysis on hand-written event logs.
#include <gtest/gtest.h>

#include "checker/mc/dpor_races.h"
#include "checker/mc/schedule_codec.h"
#include "checker/mc/tree.h"

namespace mmcheck::mc {
namespace {

TEST(mc_codec, round_trips_runs_and_choices) {
    const std::vector<decision> ds{{false, 0}, {false, 0}, {false, 0}, {true, 12}, {false, 1}, {false, 0}, {true, 0}};
    const std::string s = encode_schedule(ds);
    EXPECT_EQ(s, "mc:a3.12ba.0");
    std::vector<decision> back;
    EXPECT_FALSE(decode_schedule(s, back));
    EXPECT_EQ(back, ds);
    EXPECT_TRUE(decode_schedule("mc:a0", back));  // empty run
    EXPECT_TRUE(decode_schedule("mc:A", back));
    EXPECT_TRUE(decode_schedule("relacy:1", back));
    EXPECT_FALSE(decode_schedule("mc:", back));
}

TEST(mc_dependence, reads_and_shared_lock_operations_commute) {
    const access r{5, access_kind::read}, w{5, access_kind::write}, s{5, access_kind::shared};
    EXPECT_FALSE(dependent(r, r));
    EXPECT_TRUE(dependent(r, w));
    EXPECT_FALSE(dependent(s, s));
    EXPECT_TRUE(dependent(s, w));
    EXPECT_FALSE(dependent(w, access{6, access_kind::write}));
    EXPECT_TRUE(dependent(access{0, access_kind::any}, r));
}

// A retry step waits for a write to one of the objects it re-read, and commutes
// with every other step: that is what lets a sleeping thread stay asleep while a
// retrying one steps past it (sigma(N) is optimal only with it).
TEST(mc_dependence, a_retry_depends_only_on_changes_to_what_it_reread) {
    ASSERT_NE(object_bit(5), object_bit(6));  // the filter must tell these two apart
    const access retry{global_object, access_kind::rereads, object_bit(5)};
    EXPECT_TRUE(dependent(retry, access{5, access_kind::write}));
    EXPECT_TRUE(dependent(access{5, access_kind::shared}, retry));
    EXPECT_FALSE(dependent(retry, access{6, access_kind::write}));
    EXPECT_FALSE(dependent(retry, access{5, access_kind::read}));
    EXPECT_FALSE(dependent(retry, access{global_object, access_kind::rereads, object_bit(6) | object_bit(5)}));
    EXPECT_FALSE(dependent(retry, access{5, access_kind::none}));
    EXPECT_TRUE(dependent(retry, access{0, access_kind::any}));
}

event ev(int t, std::uint32_t obj, access_kind k, step_role role = step_role::plain, int pair = -1) {
    event e;
    e.thread = static_cast<std::uint8_t>(t);
    e.acc = {obj, k};
    e.role = role;
    e.pair = pair;
    return e;
}

TEST(mc_races, a_write_after_a_read_is_one_race_reversed_at_the_read) {
    event_log log;
    log.events = {ev(0, 1, access_kind::read), ev(1, 1, access_kind::write)};
    const auto rs = find_reversals(log, 0);
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].at, 0u);
    EXPECT_EQ(rs[0].initials, bit(1));
}

TEST(mc_races, only_the_immediate_predecessor_races) {
    // w0(x) w1(x) w2(x): w0 -> w1 -> w2, so w0 and w2 do not race.
    event_log log;
    log.events = {ev(0, 1, access_kind::write), ev(1, 1, access_kind::write), ev(2, 1, access_kind::write)};
    const auto rs = find_reversals(log, 0);
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(rs[0].at, 0u);
    EXPECT_EQ(rs[1].at, 1u);
}

TEST(mc_races, a_blocked_acquire_reverses_the_critical_sections) {
    // T0: lock(L) unlock(L) | T1: lock(L): the race is with T0's lock, not its unlock.
    event_log log;
    log.events = {ev(0, 1, access_kind::write, step_role::blocking_acquire),
                  ev(0, 1, access_kind::write, step_role::release, 0),
                  ev(1, 1, access_kind::write, step_role::blocking_acquire)};
    const auto rs = find_reversals(log, 0);
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].at, 0u);
    EXPECT_EQ(rs[0].initials, bit(1));
}

TEST(mc_races, races_before_the_new_part_are_not_reported_again) {
    event_log log;
    log.events = {ev(0, 1, access_kind::read), ev(1, 1, access_kind::write), ev(0, 2, access_kind::write),
                  ev(1, 2, access_kind::read)};
    EXPECT_EQ(find_reversals(log, 0).size(), 2u);
    EXPECT_EQ(find_reversals(log, 2).size(), 1u);
}

}  // namespace
}  // namespace mmcheck::mc

namespace mmcheck::mc {
namespace {

// Two threads at the root, the second being explored (the first done): half the
// tree is left of the path; below, a 4-way choice at its third answer adds half of
// the remaining half. A split prefix's nodes are not counted.
TEST(mc_units, progress_is_the_part_of_the_tree_left_of_the_current_path) {
    tree_node root;
    root.enabled = 0b11;
    root.chosen = 1;
    root.done = 0b01;
    tree_node choice;
    choice.is_choice = true;
    choice.options = 4;
    choice.chosen = 2;
    decision_tree tree;
    tree.nodes = {root, choice};
    auto enabled = [](const tree_node& n) { return n.enabled; };
    EXPECT_DOUBLE_EQ(fraction_left_of_path(tree, enabled), 0.5 + 0.5 * 0.5);
    decision_tree below_prefix(std::vector<tree_node>{root});
    below_prefix.nodes.push_back(choice);
    EXPECT_DOUBLE_EQ(fraction_left_of_path(below_prefix, enabled), 0.5);
}

}  // namespace
}  // namespace mmcheck::mc
