// The kernel-primitives seam: the only place model code gets concurrency from.
// Every operation here is a scheduling point for the engine the model is built for
// and records its call site for traces.
#pragma once

#include "model/kernel/atomic.h"
#include "model/kernel/barrier.h"
#include "model/kernel/check.h"
#include "model/kernel/choice.h"
#include "model/kernel/plain.h"
#include "model/kernel/rcu.h"
#include "model/kernel/revalidate.h"
#include "model/kernel/rwsem.h"
#include "model/kernel/sleeping_lock.h"
#include "model/kernel/spinlock.h"
