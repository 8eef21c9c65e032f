#!/bin/sh
# Screenshots of each page, light and dark, under Xvfb:
#   tests/screenshot.sh BUILD_DIR OUTDIR [WIDTHxHEIGHT]   (the window; 1200x720 by default)
# (./studio screenshot DIR calls it). Copy the ones the metainfo names into data/screenshots/.
set -eu
build_dir=${1:?usage: tests/screenshot.sh BUILD_DIR OUTDIR}
outdir=${2:?usage: tests/screenshot.sh BUILD_DIR OUTDIR}
tool="$build_dir/tests/dv-screenshot"
[ -x "$tool" ] || { echo "screenshot.sh: $tool is not built" >&2; exit 1; }
size=${3:-1200x720}
screen_width=$((${size%x*} + 80)) screen_height=$((${size#*x} + 80))
exec xvfb-run -a -s "-screen 0 ${screen_width}x${screen_height}x24" "$tool" "$outdir" "$size"
