#include "scenarios/format/scenario_files.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <vector>

#include "scenarios/format/loader.h"

#ifndef MMCHECK_DEFAULT_SCENARIOS_DIR
#error "the build defines MMCHECK_DEFAULT_SCENARIOS_DIR (CMakeLists.txt)"
#endif

namespace mmcheck::scenario_format {

namespace {

std::vector<binder>& binders() {
    static std::vector<binder> table;
    return table;
}

bool& loaded() {
    static bool done = false;
    return done;
}

// The definitions outlive every run: engines keep pointers into them.
std::vector<std::unique_ptr<scenario_definition>>& definitions() {
    static std::vector<std::unique_ptr<scenario_definition>> all;
    return all;
}

std::vector<std::string> scenario_files(const std::string& directory) {
    namespace fs = std::filesystem;
    std::error_code error;
    if (!fs::is_directory(directory, error))
        throw usage_error("scenarios directory '" + directory +
                          "' does not exist or is not a directory; pass --scenarios DIR with the directory holding "
                          "the *.toml scenario files");
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(directory))
        if (entry.is_regular_file() && entry.path().extension() == ".toml") files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

void add_binder(binder bind) { binders().push_back(bind); }

std::string default_directory() { return MMCHECK_DEFAULT_SCENARIOS_DIR; }

void load_directory(const std::string& directory) {
    if (loaded()) return;
    loaded() = true;
    for (const std::string& file : scenario_files(directory)) {
        auto def = std::make_unique<scenario_definition>(read_scenario_file(file));
        if (scenario_catalog::instance().find(def->info.name) != nullptr)
            def->fail(def->name_line, "a scenario named '" + def->info.name +
                                          "' is already registered (by a C++ scenario or an earlier file); "
                                          "scenario names are unique");
        for (binder bind : binders()) bind(*def);
        definitions().push_back(std::move(def));
    }
}

void ensure_loaded() { load_directory(default_directory()); }

}  // namespace mmcheck::scenario_format
