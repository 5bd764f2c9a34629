// mmcheck list: the scenarios, their variants and each variant's declared outcome.
#include <iostream>

#include "cli/commands.h"
#include "model/mm/variants_catalog.h"
#include "scenarios/catalog/catalog.h"

namespace mmcheck::cli {

namespace {

struct list_options {
    bool variants = true;
    bool selftests = false;
    bool model_variants = false;
};

// --model-variants: the kernel versions each model path can follow (model/mm/variants.h).
int run_list_model_variants() {
    const char* path = "";
    for (const model_variant_entry& v : model_variant_catalog()) {
        if (std::string_view(path) != v.path) std::cout << (path = v.path) << "\n";
        std::cout << "    - " << v.name << (v.is_default ? "  (default)" : "") << ": " << v.kernel << "\n"
                  << "        " << v.changes << "\n";
    }
    return exit_as_declared;
}

int run_list(const list_options& options) {
    if (options.model_variants) return run_list_model_variants();
    for (const scenario_info* s : scenario_catalog::instance().all(options.selftests)) {
        std::cout << s->name << "  (" << s->threads << " threads)\n    " << s->summary << "\n    source: " << s->source
                  << "\n";
        if (!options.variants) continue;
        for (const auto& v : s->variants) {
            std::cout << "    - " << v.name << ": expect "
                      << v.expected.name() << "\n"
                      << "        " << v.description << "\n";
        }
    }
    return exit_as_declared;
}

}  // namespace

void setup_list(CLI::App& app, action& chosen) {
    auto options = std::make_shared<list_options>();
    CLI::App* cmd = app.add_subcommand("list", "List scenarios with their variants and declared outcomes");
    cmd->add_flag("--selftests", options->selftests, "Also list the engine self-test programs");
    cmd->add_flag("--variants,!--no-variants", options->variants, "Show each variant (default on)");
    cmd->add_flag("--model-variants", options->model_variants,
                  "List the model's kernel-version variants (model/mm/variants.h) instead of the scenarios");
    cmd->callback([options, &chosen] { chosen = [options] { return run_list(*options); }; });
}

}  // namespace mmcheck::cli
