// Fiber stacks reused across executions: an execution starts up to max_threads
// fibers, and allocating their stacks anew each time would dominate short runs.
#pragma once

#include <cstdlib>
#include <new>
#include <vector>

#include <boost/context/stack_context.hpp>

namespace mmcheck::mc {

class stack_pool {
public:
    explicit stack_pool(std::size_t bytes) : bytes_(bytes) {}
    ~stack_pool() {
        for (void* s : free_) std::free(s);
    }
    stack_pool(const stack_pool&) = delete;
    stack_pool& operator=(const stack_pool&) = delete;

    boost::context::stack_context allocate() {
        void* base;
        if (!free_.empty()) {
            base = free_.back();
            free_.pop_back();
        } else {
            base = std::malloc(bytes_);
            if (base == nullptr) throw std::bad_alloc();
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

// The StackAllocator Boost.Context takes by value: a reference to the pool.
struct pooled_stack {
    stack_pool* pool;
    boost::context::stack_context allocate() { return pool->allocate(); }
    void deallocate(boost::context::stack_context& sc) noexcept { pool->deallocate(sc); }
};

}  // namespace mmcheck::mc
