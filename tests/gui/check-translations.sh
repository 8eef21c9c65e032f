#!/bin/sh
# Every translatable string of po/POTFILES is translated, and not fuzzy, in
# every language of po/LINGUAS; the catalogues pass msgfmt --check.
#   tests/gui/check-translations.sh SOURCE_ROOT
set -eu
cd "${1:?usage: check-translations.sh SOURCE_ROOT}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

grep -v -e '^#' -e '^$' po/POTFILES > "$tmp/files"
# The same keywords as meson's i18n.gettext (preset glib).
xgettext --files-from="$tmp/files" --directory=. --output="$tmp/messages.pot" --from-code=UTF-8 \
  --add-comments --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format
total=$(msgattrib --no-obsolete "$tmp/messages.pot" | grep -c '^msgid ' || true)
echo "messages: $((total - 1))"

languages=$(sed -e 's/#.*//' po/LINGUAS | tr -s ' \t' '\n\n' | grep -v '^$' || true)
[ -n "$languages" ] || { echo "po/LINGUAS names no language: nothing would be checked" >&2; exit 1; }
[ "$total" -gt 1 ] || { echo "xgettext found no translatable message in po/POTFILES" >&2; exit 1; }

failed=0
for lang in $languages; do
  [ -f "po/$lang.po" ] || { echo "$lang: po/$lang.po is missing" >&2; failed=1; continue; }
  msgfmt --check -o /dev/null "po/$lang.po" || { failed=1; continue; }
  msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$tmp/messages.pot" -o "$tmp/$lang.po"
  stats=$(msgfmt --check --statistics -o /dev/null "$tmp/$lang.po" 2>&1)
  echo "$lang: $stats"
  translated=$(echo "$stats" | sed -n 's/^\([0-9]*\) translated message.*/\1/p')
  case "$stats" in
    *untranslated* | *fuzzy*)
      failed=1
      msgattrib --only-fuzzy "$tmp/$lang.po" | grep '^msgid' | grep -v '^msgid ""$' | sed "s/^/  $lang fuzzy: /" | head -20
      msgattrib --untranslated "$tmp/$lang.po" | grep '^msgid' | sed "s/^/  $lang missing: /" | head -20
      ;;
  esac
  # Every message of the sources, not only those the catalogue happens to hold.
  if [ "${translated:-0}" -ne "$((total - 1))" ]; then
    echo "  $lang: ${translated:-0} translated of $((total - 1)) messages" >&2
    failed=1
  fi
done
exit $failed
