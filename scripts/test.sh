#!/usr/bin/env bash
# Install everything, build, and run every test twice: a normal build
# (warnings are errors) and an AddressSanitizer + UndefinedBehaviorSanitizer
# build. Tests that need root run as root; the suites create their own
# unprivileged user for the rest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$root/scripts/setup.sh" --tests

# The suites also run as this unprivileged user. Create it once here, before
# ctest runs them in parallel (each suite can create it too when run alone).
if [ "$(id -u)" -eq 0 ] && ! id -u srt-test >/dev/null 2>&1; then
  useradd --system --create-home srt-test
fi

echo "== build (warnings as errors)"
cmake -S "$root" -B "$root/build" -DSRT_WERROR=ON -DSRT_BUILD_TESTS=ON >/dev/null
cmake --build "$root/build" -j"$jobs" >/dev/null
ctest --test-dir "$root/build" --output-on-failure -j"$jobs"

echo "== build (ASan + UBSan)"
cmake -S "$root" -B "$root/build-asan" -DSRT_WERROR=ON -DSRT_BUILD_TESTS=ON -DSRT_SANITIZE=ON \
      -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$root/build-asan" -j"$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$root/build-asan" --output-on-failure -j"$jobs"

echo "== fuzz (libFuzzer, a short run of every parser target)"
cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_C_COMPILER=clang-14 -DSRT_FUZZ=ON \
      -DSRT_BUILD_TESTS=OFF -DSRT_WERROR=ON >/dev/null
cmake --build "$root/build-fuzz" -j"$jobs" --target fuzz_http fuzz_socks fuzz_host >/dev/null
for f in fuzz_http fuzz_socks fuzz_host; do
  log="$root/build-fuzz/$f.log"
  if ! "$root/build-fuzz/fuzz/$f" -max_total_time=20 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "$f: crashed (see $log)"
    exit 1
  fi
  echo "$f: $(grep -o 'number_of_executed_units: *[0-9]*' "$log" | tr -s ' ') without a crash"
done
