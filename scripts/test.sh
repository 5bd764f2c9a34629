#!/usr/bin/env bash
# The README's second command, and what CI runs: installs what is missing, builds,
# runs every test, then builds the native engine under ThreadSanitizer (clang 16)
# and runs the TSan tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build-only
jobs=$(nproc)
ctest --test-dir build --output-on-failure -j"$jobs"

# AddressSanitizer + UndefinedBehaviorSanitizer over the same tests. Relacy's
# replacement operator new pairs malloc with operator delete, and its fiber stacks
# are freed by its own allocator: alloc_dealloc_mismatch is off and Relacy's
# allocations are suppressed (tests/sanitizers/lsan.supp); a slow unwinder lets
# the suppressions see Relacy's frames.
export ASAN_OPTIONS=alloc_dealloc_mismatch=0:fast_unwind_on_malloc=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMMCHECK_SANITIZE=address,undefined \
  -DMMCHECK_ENGINES="native;relacy" >/dev/null
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs"
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-16 \
  -DMMCHECK_SANITIZE=thread -DMMCHECK_ENGINES=native >/dev/null
cmake --build build-tsan -j"$jobs" --target mmcheck
ctest --test-dir build-tsan --output-on-failure
