// Selects the engine backend for this build of the model. Every backend provides,
// in kernel::backend, the same small surface the seam is written against:
//
//   class atomic_word  load/store/exchange/fetch_add/compare_exchange with an mo;
//                      add: a relaxed fetch_add whose result the caller drops
//   class plain_word   read/write; unordered concurrent access with a write is a race
//   class mutex        lock/try_lock/unlock                  (spinlocks, page lock)
//   class rwsem        shared and exclusive, trylocks, downgrade (mmap_lock, i_mmap_rwsem)
//   fence(mo)          thread fences
//   choose(n)          a nondeterministic choice in [0, n) that the engine explores
//   thread_id()        index of the running model thread
//   retry_hint()       the thread is in a retry loop and needs another to move
//   rcu_read_enter/exit()  the scheduling points of rcu_read_lock()/unlock()
//   grace_period_begin()   where a grace period (synchronize_rcu, call_rcu) starts
//   grace_period_wait(gp)  return once every reader gp waits for has left
//   abort_execution()  end this execution after a recorded violation (no return)
//   bookkeeping_guard  RAII guard for checker-only state shared by model threads
//   single_os_thread   constexpr bool: all model threads of a run share one OS thread
//
// Every operation takes the model call site. A third engine adds a header here and a
// branch below; model code does not change.
#pragma once

#include "model/kernel/detail/engine_ns.h"
#include "model/kernel/detail/memory_order.h"

#if defined(MMCHECK_ENGINE_NATIVE)
#include "model/kernel/detail/backend_native.h"
#elif defined(MMCHECK_ENGINE_RELACY)
#include "model/kernel/detail/backend_relacy.h"
#elif defined(MMCHECK_ENGINE_MC)
#include "checker/mc/backend_mc.h"
#else
#error "build the model with one of MMCHECK_ENGINE_NATIVE, MMCHECK_ENGINE_RELACY, MMCHECK_ENGINE_MC"
#endif
