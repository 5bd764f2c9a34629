// The RCU read side and deferred free, enough for the 6.5+ pte_offset_map()
// protocol and pte_free_defer(). A grace period ends as soon as every reader that
// was inside when it began has left: the earliest, most adversarial point.
#pragma once

#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel {

using detail::rcu_callback;
using detail::rcu_head;

void rcu_read_lock(const std::source_location& where = std::source_location::current());
void rcu_read_unlock(const std::source_location& where = std::source_location::current());
void call_rcu(rcu_head* head, rcu_callback func,
              const std::source_location& where = std::source_location::current());
void synchronize_rcu(const std::source_location& where = std::source_location::current());
bool rcu_read_lock_held();

}  // namespace kernel
MMCHECK_ENGINE_END
