#!/bin/sh
# The Views page's live preview: how often the missing views reach the screen
# while the sampler runs (the issue asks for at least 20 a second), measured
# by the in-process GUI test's live-rate path under Xvfb with random weights of
# the shipped networks' sizes (300 steps, Euler–Maruyama, 1 and 3 variations),
# BENCH_PAGE_REPEATS times (default 3) with each GTK renderer; medians. Writes
# its section of bench/RESULTS-views.md (between the views-live markers).
#
#   bench/views_live.sh BUILD_DIR [RESULTS_FILE | -]      (bench/run calls it)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build_dir=${1:-_build}
results=${2:-$here/RESULTS-views.md}
page_test="$build_dir/tests/test-views-page"
repeats=${BENCH_PAGE_REPEATS:-3}

die() {
  echo "bench/views_live.sh: $*" >&2
  exit 1
}

[ -x "$page_test" ] || die "$page_test not found: build with -Dgui_tests=true first"
command -v xvfb-run >/dev/null 2>&1 || die "xvfb-run missing: cannot measure the Views page"
export OMP_WAIT_POLICY=PASSIVE

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 130' INT TERM

median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$tmp/raw"
for renderer in cairo gl; do
  i=0
  while [ "$i" -lt "$repeats" ]; do
    i=$((i + 1))
    echo "bench: GSK_RENDERER=$renderer xvfb-run $page_test -m perf -p /views-page/live-rate (run $i)"
    if ! GSK_RENDERER=$renderer G_TEST_SRCDIR="$here/../tests" xvfb-run -a -s '-screen 0 1280x800x24' \
      "$page_test" -m perf -p /views-page/live-rate >"$tmp/out" 2>&1; then
      cat "$tmp/out" >&2
      die "$page_test failed (GSK_RENDERER=$renderer, run $i)"
    fi
    grep '^# live rate:' "$tmp/out" | sed "s/^# /GSK_RENDERER=$renderer: /" >>"$tmp/raw"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
[ "$(wc -l <"$tmp/raw")" -eq $((2 * 2 * repeats)) ] || die "expected $((4 * repeats)) figures, got: $(cat "$tmp/raw")"

# renderer, variations → the live frames a second, and the window's frames a second.
table() {
  echo "| GSK_RENDERER | variations | live frames/s (median) | window frames/s (median) | runs |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for renderer in cairo gl; do
    for k in 1 3; do
      grep "^GSK_RENDERER=$renderer: .*, $k variations" "$tmp/raw" >"$tmp/sel" || true
      live=$(sed -n 's/.*(\([0-9.]*\) a second), [0-9]* frame-clock.*/\1/p' "$tmp/sel" | median)
      window=$(sed -n 's/.*frame-clock frames (\([0-9.]*\) a second).*/\1/p' "$tmp/sel" | median)
      case "$live$window" in *n/a*) die "no figure for $renderer, $k variations" ;; esac
      echo "| $renderer | $k | $live | $window | $(wc -l <"$tmp/sel" | tr -d ' ') |"
    done
  done
}
table >"$tmp/table"
cat "$tmp/table"

[ "$results" = "-" ] && exit 0
{
  echo "<!-- views-live: written by bench/views_live.sh -->"
  echo "## Views page: the live preview while the sampler runs"
  echo
  echo "Live frames are the denoising views the page shows while the sampler runs, counted from the first to the"
  echo "last (\`$page_test -m perf -p /views-page/live-rate\`: random weights of the shipped sizes, 300 steps of"
  echo "Euler–Maruyama, the chair with its front given, after a first run that loads the models); window frames"
  echo "are the frame clock's over the whole run. $repeats runs per renderer and variation count; load average"
  echo "$load_before before, $load_after after ($(nproc) cores, shared). Xvfb has no GPU: GL is Mesa's software"
  echo "rasteriser there; on this machine the app itself asks for Cairo (src/app/dv-renderer.c), the first rows."
  echo
  cat "$tmp/table"
  echo
  echo "Each run:"
  echo
  sed 's/^/- /' "$tmp/raw"
  echo "<!-- /views-live -->"
} >"$tmp/section"
touch "$results"
# The section replaces its previous self, or is appended.
awk -v section="$tmp/section" '
  /^<!-- views-live/ { skipping = 1; while ((getline line < section) > 0) print line; done = 1; next }
  /^<!-- \/views-live -->/ { skipping = 0; next }
  !skipping { print }
  END { if (!done) { print ""; while ((getline line < section) > 0) print line } }
' "$results" >"$results.tmp"
mv "$results.tmp" "$results"
echo "bench: wrote $results"
