// Schedule files (--save on run and suite, --schedule-file on replay): one failing
// execution per line, written as the reproduce command itself, followed by a shell
// comment naming the violation it failed with, so each line can be pasted into a
// shell or read back by `mmcheck replay --schedule-file`:
//
//   mmcheck replay SCENARIO --variant V --engine E --schedule 'S'  # found: KIND
//
// Blank lines and lines starting with # are comments.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reports/outcome.h"

namespace mmcheck::cli {

struct saved_schedule {
    std::string file;
    unsigned line = 0;
    std::string scenario;
    std::string variant;
    engine_kind engine = default_engine;
    std::string schedule;
    std::optional<violation_kind> found;  // from the "# found:" comment

    std::string where() const { return file + ":" + std::to_string(line); }
};

// Writes every outcome that has a schedule. Throws usage_error when the file cannot
// be written.
void write_schedule_file(const std::string& path, const outcome_list& outcomes);

// Throws usage_error "FILE:LINE: problem" for a line that is not a replay command,
// and "FILE: ..." for a file that cannot be read or holds no schedule.
std::vector<saved_schedule> read_schedule_file(const std::string& path);

}  // namespace mmcheck::cli
