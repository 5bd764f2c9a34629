// Engine-independent seam bookkeeping: violations and trace formatting (lock
// tracking is in lockdep.cpp, RCU grace periods in model/kernel/rcu.cpp). Compiled
// once per engine like the rest of the seam.
#include "model/kernel/detail/execution.h"

#include <string>

#include "model/kernel/check.h"

MMCHECK_ENGINE_BEGIN
namespace kernel::detail {

execution*& current_execution() {
    static thread_local execution* current = nullptr;
    return current;
}

std::string source_path(const char* file) {
    std::string path = file;
    for (const char* top : {"/model/", "/scenarios/", "/checker/", "/tests/"}) {
        const auto at = path.rfind(top);
        if (at != std::string::npos) return path.substr(at + 1);
    }
    return path;
}

std::string function_name(const char* pretty) {
    // "ret ns::engine::fn(args) [with ...]" -> "fn"
    std::string s = pretty;
    auto paren = s.find('(');
    if (paren == std::string::npos) return s;
    s.resize(paren);
    const auto space = s.rfind(' ');
    if (space != std::string::npos) s = s.substr(space + 1);
    const auto colons = s.rfind("::");
    if (colons != std::string::npos) s = s.substr(colons + 2);
    return s;
}

void violation(violation_kind kind, std::string message, const site& where) {
    execution* exec = current_execution();
    if (exec != nullptr) {
        backend::bookkeeping_guard guard;
        if (!exec->violation) {
            violation_report r;
            r.kind = kind;
            r.message = std::move(message);
            r.thread = backend::thread_id();
            r.function = function_name(where.function_name());
            r.file = source_path(where.file_name());
            r.line = where.line();
            exec->violation = std::move(r);
            record("VIOLATION", {violation_name(kind).data()}, nullptr, 0, 0, where);
        }
    }
    backend::abort_execution();
}

std::vector<trace_step> format_trace(const execution& exec) {
    std::vector<trace_step> steps;
    steps.reserve(exec.trace.size());
    for (const raw_step& raw : exec.trace) {
        trace_step step;
        step.thread = raw.thread;
        step.function = function_name(raw.where.function_name());
        step.file = source_path(raw.where.file_name());
        step.line = raw.where.line();
        step.op = raw.op;
        if (raw.stale) step.op += " (older value)";
        step.object = kernel_label::to_string(raw.object);
        if (raw.format != nullptr) {
            step.after = raw.format(raw.after);
            if (raw.kind == step_kind::write) step.before = raw.format(raw.before);
        }
        for (int i = 0; i < raw.nheld; ++i) step.locks_held.push_back(kernel_label::to_string(raw.held[i]));
        steps.push_back(std::move(step));
    }
    return steps;
}

}  // namespace kernel::detail

MMCHECK_ENGINE_END
