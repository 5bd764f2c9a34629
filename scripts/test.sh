#!/usr/bin/env bash
# The README's second command, and what CI runs: installs what is missing, builds,
# runs every test, then builds the native engine under ThreadSanitizer (clang 16)
# and runs the TSan tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build-only
jobs=$(nproc)
ctest --test-dir build --output-on-failure -j"$jobs"

cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-16 \
  -DMMCHECK_SANITIZE=thread -DMMCHECK_ENGINES=native >/dev/null
cmake --build build-tsan -j"$jobs" --target mmcheck
ctest --test-dir build-tsan --output-on-failure
