#!/bin/sh
# Runs test-i18n in French and in Italian. The machine need not have those
# locales installed: they are compiled into a scratch directory (LOCPATH).
#   tests/gui/run-i18n.sh TEST_I18N_BINARY
set -eu
test_bin=${1:?usage: run-i18n.sh TEST_I18N_BINARY}
for need in localedef xvfb-run; do
  command -v "$need" >/dev/null || { echo "run-i18n.sh: $need is missing" >&2; exit 77; }
done
[ -f /usr/share/i18n/locales/fr_FR ] && [ -f /usr/share/i18n/locales/it_IT ] ||
  { echo "run-i18n.sh: locale sources are missing (package locales)" >&2; exit 77; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export LOCPATH="$scratch"
localedef -i fr_FR -f UTF-8 "$scratch/fr_FR.UTF-8" 2>/dev/null || true
localedef -i it_IT -f UTF-8 "$scratch/it_IT.UTF-8" 2>/dev/null || true

status=0
LANGUAGE= LC_ALL=fr_FR.UTF-8 DV_EXPECT='Vues|Votes|Bac à sable|Nouvelles vues|Suivre le système' \
  xvfb-run -a "$test_bin" || status=1
LANGUAGE= LC_ALL=it_IT.UTF-8 DV_EXPECT='Viste|Voti|Laboratorio|Nuove viste|Segui il sistema' \
  xvfb-run -a "$test_bin" || status=1
exit $status
