// Fiber stacks reused across executions and across runs: an execution starts up
// to max_threads fibers, and a run of a tiny program is a few executions, so
// allocating stacks per execution, or per run, would dominate short runs. The
// stacks are mapped directly (not malloc()ed: glibc serves half-megabyte blocks
// from the heap once its mmap threshold has adapted, and trimming the heap on
// every free made each run of a tiny program pay page faults and a TLB flush).
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <vector>

#include <boost/context/stack_context.hpp>

namespace mmcheck::mc {

class stack_pool {
public:
    explicit stack_pool(std::size_t bytes) : bytes_(bytes) {}
    ~stack_pool() {
        for (void* s : free_) munmap(s, bytes_);
    }
    stack_pool(const stack_pool&) = delete;
    stack_pool& operator=(const stack_pool&) = delete;

    boost::context::stack_context allocate() {
        void* base;
        if (!free_.empty()) {
            base = free_.back();
            free_.pop_back();
        } else {
            base = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (base == MAP_FAILED) throw std::bad_alloc();
        }
        boost::context::stack_context sc;
        sc.size = bytes_;
        sc.sp = static_cast<char*>(base) + bytes_;  // stacks grow down
        return sc;
    }
    void deallocate(boost::context::stack_context& sc) noexcept {
        free_.push_back(static_cast<char*>(sc.sp) - sc.size);
    }

private:
    std::size_t bytes_;
    std::vector<void*> free_;
};

// The pool of the calling OS thread (a split search runs one runtime per
// worker thread), kept for the thread's lifetime: at most max_threads stacks.
inline stack_pool& this_thread_stacks() {
    thread_local stack_pool pool(512 * 1024);
    return pool;
}

// The StackAllocator Boost.Context takes by value: a reference to the pool.
struct pooled_stack {
    stack_pool* pool;
    boost::context::stack_context allocate() { return pool->allocate(); }
    void deallocate(boost::context::stack_context& sc) noexcept { pool->deallocate(sc); }
};

}  // namespace mmcheck::mc
