#include "cli/schedule_file.h"

#include <fstream>

#include "reports/text.h"

namespace mmcheck::cli {

namespace {

constexpr const char* found_prefix = "found: ";

// Splits a line into shell words: '...' (with the '\'' idiom reproduce lines use),
// "...", backslash escapes; stops at an unquoted # that starts a word, returning
// the comment after it.
std::vector<std::string> shell_words(const std::string& line, std::string& comment, const saved_schedule& at) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == ' ' || c == '\t') {
            if (in_word) words.push_back(word), word.clear(), in_word = false;
        } else if (c == '#' && !in_word) {
            comment = line.substr(i + 1);
            break;
        } else if (c == '\'' || c == '"') {
            const std::size_t end = line.find(c, i + 1);
            if (end == std::string::npos)
                throw usage_error(at.where() + ": unterminated " + std::string(1, c) +
                                  " quote; copy the whole line mmcheck printed or saved");
            word += line.substr(i + 1, end - i - 1);
            in_word = true;
            i = end;
        } else if (c == '\\' && i + 1 < line.size()) {
            word += line[++i];
            in_word = true;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (in_word) words.push_back(word);
    return words;
}

[[noreturn]] void not_a_replay(const saved_schedule& at, const std::string& problem) {
    throw usage_error(at.where() + ": " + problem +
                      "; a schedule line is `mmcheck replay SCENARIO --variant V --engine E --schedule 'S'`, "
                      "as mmcheck printed it after 'reproduce:'");
}

void read_options(saved_schedule& s, const std::vector<std::string>& words) {
    bool have_variant = false, have_schedule = false, have_engine = false;
    for (std::size_t i = 3; i < words.size(); i += 2) {
        if (i + 1 >= words.size()) not_a_replay(s, "option '" + words[i] + "' has no value");
        const std::string& value = words[i + 1];
        if (words[i] == "--variant") {
            s.variant = value, have_variant = true;
        } else if (words[i] == "--schedule") {
            s.schedule = value, have_schedule = true;
        } else if (words[i] == "--engine") {
            auto engine = parse_engine(value);
            if (!engine) not_a_replay(s, "unknown engine '" + value + "'");
            s.engine = *engine, have_engine = true;
        } else if (words[i] != "--scenarios") {
            not_a_replay(s, "unexpected '" + words[i] + "'");
        }
    }
    if (!have_variant) not_a_replay(s, "no --variant");
    if (!have_schedule) not_a_replay(s, "no --schedule");
    if (!have_engine)  // the schedule names its engine ("mc:...", "relacy:...")
        if (auto engine = engine_of_schedule(s.schedule)) s.engine = *engine;
}

void read_found(saved_schedule& s, const std::string& comment) {
    const std::size_t at = comment.find(found_prefix);
    if (at == std::string::npos) return;
    std::string name = comment.substr(at + std::string(found_prefix).size());
    name = name.substr(0, name.find_first_of(" \t\r"));
    s.found = parse_violation(name);
    if (!s.found) throw usage_error(s.where() + ": unknown violation kind '" + name + "' after '# found:'");
}

}  // namespace

void write_schedule_file(const std::string& path, const outcome_list& outcomes) {
    std::ofstream out(path);
    if (!out) throw usage_error("cannot write the schedule file '" + path + "'");
    out << "# mmcheck schedules: each line re-runs one failing execution. Run a line as it is, or\n"
           "# `mmcheck replay --schedule-file " << path << "` (add the scenario and --variant to pick one).\n";
    for (const variant_outcome& o : outcomes) {
        if (o.result.schedule.empty()) continue;
        out << reproduce_command(o.options, o.result);
        if (o.result.violation) out << "  # " << found_prefix << violation_name(o.result.violation->kind);
        out << "\n";
    }
    if (!out) throw usage_error("cannot write the schedule file '" + path + "'");
}

std::vector<saved_schedule> read_schedule_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw usage_error("cannot read the schedule file '" + path + "'");
    std::vector<saved_schedule> schedules;
    std::string line;
    for (unsigned number = 1; std::getline(in, line); ++number) {
        const std::size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        saved_schedule s;
        s.file = path;
        s.line = number;
        std::string comment;
        const std::vector<std::string> words = shell_words(line, comment, s);
        const bool is_mmcheck = !words.empty() && (words[0] == "mmcheck" || words[0].ends_with("/mmcheck"));
        if (!is_mmcheck || words.size() < 3 || words[1] != "replay" || words[2].starts_with("-"))
            not_a_replay(s, "not a replay command");
        s.scenario = words[2];
        read_options(s, words);
        read_found(s, comment);
        schedules.push_back(std::move(s));
    }
    if (schedules.empty()) throw usage_error(path + ": holds no schedule (no `mmcheck replay ...` line)");
    return schedules;
}

}  // namespace mmcheck::cli
