// The machine-readable files of `run` and `suite`: JSON, JUnit XML, saved schedules.
#include <fstream>

#include "cli/commands.h"
#include "cli/schedule_file.h"
#include "reports/json.h"
#include "reports/junit.h"

namespace mmcheck::cli {

namespace {

template <class Writer>
void write_file(const std::string& path, const char* what, Writer write) {
    if (path.empty()) return;
    std::ofstream out(path);
    if (out) write(out);
    if (!out) throw usage_error("cannot write the " + std::string(what) + " file '" + path + "'");
}

}  // namespace

void add_report_file_options(CLI::App* cmd, report_files& files, bool junit) {
    cmd->add_option("--json", files.json, "Also write every outcome, with violations and traces, as JSON to FILE");
    if (junit) cmd->add_option("--junit", files.junit, "Also write the outcomes as JUnit XML to FILE, for CI");
    cmd->add_option("--save", files.save,
                    "Write each failing schedule to FILE, one reproduce command per line "
                    "(read back by `mmcheck replay --schedule-file FILE`)");
}

void write_report_files(const report_files& files, const outcome_list& outcomes) {
    write_file(files.json, "JSON", [&](std::ostream& out) { write_json_report(out, outcomes); });
    write_file(files.junit, "JUnit", [&](std::ostream& out) { write_junit_report(out, outcomes); });
    if (!files.save.empty()) write_schedule_file(files.save, outcomes);
}

}  // namespace mmcheck::cli
