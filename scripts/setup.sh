#!/usr/bin/env bash
# Installs the Debian packages mmcheck needs (only those missing), builds it in
# build/, and runs the scenario suite: the README's first command.
#   scripts/setup.sh               install, build, run `mmcheck suite`
#   scripts/setup.sh --build-only  install and build
set -euo pipefail
cd "$(dirname "$0")/.."

# Compiler and build tools; the libraries (README, "Libraries"); clang 16 with its
# sanitizer runtimes for the ThreadSanitizer build (clang 14 lacks the builtin that
# libstdc++ 12's <source_location> needs), and llvm-16 for the llvm-symbolizer its
# TSan runtime accepts (the image's llvm-14 one is refused, and reports lose their
# function names).
packages=(
  build-essential cmake pkg-config
  relacy-dev librapidcheck-dev libcli11-dev googletest libgtest-dev
  nlohmann-json3-dev libtomlplusplus-dev libboost-context-dev
  clang-16 libclang-rt-16-dev llvm-16
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}; run this script as root (or apt-get install them)" >&2
    exit 2
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"

if [ "${1:-}" = "--build-only" ]; then exit 0; fi
exec build/mmcheck suite
