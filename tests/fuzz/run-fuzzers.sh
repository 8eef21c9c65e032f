#!/bin/sh
# Builds the libFuzzer harnesses (clang, ASan + UBSan), writes their seed
# corpora and runs each harness in turn, gently (nice, one job):
#   tests/fuzz/run-fuzzers.sh [SECONDS [HARNESS…]]
# SECONDS per harness (600 by default); all harnesses unless named. Logs,
# grown corpora and any crash input land in _build-fuzz/runs/<harness>/;
# the closing statistics of each run are printed for docs/fuzzing.md.
set -eu
cd "$(dirname "$0")/../.."
BUILD=_build-fuzz
seconds=${1:-600}
[ $# -gt 0 ] && shift
harnesses=${*:-png safetensors weights csv obj json dvmv}

if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang meson setup "$BUILD" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
    --buildtype=debugoptimized
fi
nice -n 10 meson compile -C "$BUILD"
rm -rf "$BUILD/seeds"
"$BUILD/tests/fuzz/fuzz-make-corpus" "$BUILD/seeds"

for h in $harnesses; do
  run="$BUILD/runs/$h"
  mkdir -p "$run/corpus" "$run/crashes"
  cp -n "$BUILD/seeds/$h"/* "$run/corpus/" 2>/dev/null || true
  echo "fuzz-$h: $seconds s"
  start=$(date +%s)
  # -jobs=1 runs the fuzzer in one child writing fuzz-0.log; leaks count as crashes (ASan's default).
  (cd "$run" && nice -n 10 "../../tests/fuzz/fuzz-$h" -jobs=1 -workers=1 -max_total_time="$seconds" \
     -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix=crashes/ corpus \
     >/dev/null 2>&1) || echo "fuzz-$h: exit status $?"
  end=$(date +%s)
  log="$run/fuzz-0.log"
  echo "fuzz-$h: ran $((end - start)) s; $(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1)"
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
  ls "$run/crashes" | sed 's/^/  crash: /'
done
