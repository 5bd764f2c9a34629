// Plain shared variables: the kernel accesses them without READ_ONCE/WRITE_ONCE,
// so two concurrent accesses with a write and no ordering between them are a data
// race (the engines report it; TSan sees it in the native build).
#pragma once

#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel {

template <detail::word_sized T>
class plain {
public:
    explicit plain(T initial = T{}, detail::label name = {})
        : word_(detail::to_word(initial)), name_(name), latest_(detail::to_word(initial)) {}
    const detail::label& name() const { return name_; }

    T read(const std::source_location& where = std::source_location::current()) const {
        const detail::word w = word_.read(where);
        detail::record("read", name_, &detail::format_word<T>, w, w, where, detail::step_kind::read);
        return detail::from_word<T>(w);
    }
    void write(T v, const std::source_location& where = std::source_location::current()) {
        const detail::word w = detail::to_word(v);
        const detail::word before = latest_;
        word_.write(w, where);
        if constexpr (backend::single_os_thread) latest_ = w;
        detail::record("write", name_, &detail::format_word<T>, before, w, where, detail::step_kind::write);
    }

private:
    backend::plain_word word_;
    detail::label name_;
    // The value the last write stored, for the trace's "before -> after": kept by
    // the engines whose model threads share one OS thread, the only ones that
    // trace (on real threads it would be a second, checker-made data race).
    detail::word latest_;
};

}  // namespace kernel
MMCHECK_ENGINE_END
