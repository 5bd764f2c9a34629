// A scenario as read from a scenario file (scenarios/*.toml; the format is
// documented in scenarios/README.md): engine-independent data, every value with
// the line it came from, so that the engine-compiled interpreter
// (scenarios/toml/interpreter.h) can name the line of anything it rejects.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "checker/core/run.h"
#include "scenarios/catalog/catalog.h"

namespace mmcheck::scenario_format {

// A problem in a scenario file: "FILE:LINE: problem". A usage error, so the CLI
// prints it and exits 2.
struct file_error : usage_error {
    file_error(const std::string& file, unsigned line, const std::string& problem)
        : usage_error(file + ":" + std::to_string(line) + ": " + problem) {}
};

// A scalar as written: an integer, a boolean, or a string (a name, or an
// expression such as "3 * PAGE_SIZE" that the interpreter evaluates).
using scalar = std::variant<std::int64_t, bool, std::string>;

struct located_scalar {
    scalar value;
    unsigned line = 0;
};

struct located_name {
    std::string name;
    unsigned line = 0;
};

// One model operation of a thread: { op = "fault", address = ..., write = true }.
struct operation_call {
    located_name op;
    std::vector<std::pair<located_name, located_scalar>> arguments;
};

struct thread_definition {
    std::vector<operation_call> operations;
    unsigned line = 0;
};

// Page tables that exist before the threads start: every level from the pgd
// down to `level` (pud, pmd or pte table) for `address`, empty below it.
struct table_definition {
    located_scalar address;
    located_name level;
};

// A fault run while building the initial state, before the threads start.
struct prefault_definition {
    located_scalar address;
    bool write = false;
    unsigned line = 0;
};

// Keys of the vma's `device` table: the pfn-mapping driver (model/drivers/devmem.h).
struct device_definition {
    located_scalar pages;
    located_scalar align;
    std::vector<located_name> huge;  // "pud", "pmd"
    bool may_fall_back = true;
    unsigned line = 0;
};

struct vma_definition {
    located_scalar start;
    located_scalar end;
    located_name kind;  // anon, device
    std::vector<located_name> flags;
    std::vector<device_definition> device;  // at most one; only for kind = "device"
    std::vector<prefault_definition> prefault;
    unsigned line = 0;
};

// A variant's model path selections: path (a model_variants field) = choice.
struct variant_selections {
    std::vector<std::pair<located_name, located_name>> select;
    unsigned line = 0;
};

struct scenario_definition {
    std::string file;   // as the user named it (directory + file name)
    scenario_info info;  // name, summary, source, threads, variants, bounds
    unsigned name_line = 0;
    std::int64_t memory_pages = 32;
    std::vector<table_definition> tables;
    std::vector<vma_definition> vmas;
    std::vector<thread_definition> threads;
    std::vector<variant_selections> selections;  // one per info.variants entry
    std::vector<located_name> invariants;

    [[noreturn]] void fail(unsigned line, const std::string& problem) const { throw file_error(file, line, problem); }
};

}  // namespace mmcheck::scenario_format
