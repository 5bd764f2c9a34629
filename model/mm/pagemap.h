// The page lock (PG_locked): include/linux/pagemap.h and mm/filemap.c, v6.6.
// Page flags other than PG_locked are left out.
#pragma once

#include <source_location>

#include "model/mm/page.h"

MMCHECK_ENGINE_BEGIN
namespace mm {

// trylock_page() — include/linux/pagemap.h: never sleeps, so it may be called
// under a spinlock.
inline bool trylock_page(page* p, const std::source_location& where = std::source_location::current()) {
    return p->PG_locked.try_lock("trylock_page", where);
}
// lock_page() — include/linux/pagemap.h: sleeps until the bit is clear.
inline void lock_page(page* p, const std::source_location& where = std::source_location::current()) {
    p->PG_locked.lock("lock_page", where);
}
inline void unlock_page(page* p, const std::source_location& where = std::source_location::current()) {
    p->PG_locked.unlock("unlock_page", where);
}
// folio_wait_locked() — include/linux/pagemap.h: sleeps until PG_locked is clear,
// without taking it. The seam has no wait-for-bit; taking and releasing the lock
// blocks exactly as long and is what the engines can schedule.
inline void folio_wait_locked(page* p, const std::source_location& where = std::source_location::current()) {
    p->PG_locked.lock("folio_wait_locked", where);
    p->PG_locked.unlock("folio_wait_locked", where);
}

}  // namespace mm
MMCHECK_ENGINE_END
