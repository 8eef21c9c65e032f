#!/bin/sh
# Every screenshot the metainfo names is stored in data/screenshots/ and is a PNG.
#   tests/gui/check-screenshots.sh SOURCE_ROOT
set -eu
cd "${1:?usage: check-screenshots.sh SOURCE_ROOT}"
metainfo=data/io.github.dimvida.Studio.metainfo.xml.in
names=$(sed -n 's|.*<image>.*/data/screenshots/\([^<]*\)</image>.*|\1|p' "$metainfo")
[ -n "$names" ] || { echo "no screenshots named in $metainfo" >&2; exit 1; }
status=0
for name in $names; do
  file="data/screenshots/$name"
  if [ ! -f "$file" ]; then
    echo "missing: $file" >&2
    status=1
  elif [ "$(head -c 8 "$file" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
    echo "not a PNG: $file" >&2
    status=1
  else
    echo "ok: $file"
  fi
done
exit $status
