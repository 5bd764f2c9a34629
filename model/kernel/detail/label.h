// A label names a seam object in traces ("pud@pfn2[0]", "mm->page_table_lock")
// without building strings on the hot path: it is formatted only when a trace is
// printed.
#pragma once

#include <string>

namespace mmcheck::kernel_label {

struct label {
    const char* what = "?";
    int pfn = -1;    // page frame of the table/page holding the object, if any
    int index = -1;  // slot inside it, if any
};

inline std::string to_string(const label& l) {
    std::string s = l.what;
    if (l.pfn >= 0) s += "@pfn" + std::to_string(l.pfn);
    if (l.index >= 0) s += "[" + std::to_string(l.index) + "]";
    return s;
}

}  // namespace mmcheck::kernel_label
