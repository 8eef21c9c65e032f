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

failed=0
for lang in $(grep -v '^#' po/LINGUAS); do
  msgfmt --check -o /dev/null "po/$lang.po"
  msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$tmp/messages.pot" -o "$tmp/$lang.po"
  stats=$(msgfmt --check --statistics -o /dev/null "$tmp/$lang.po" 2>&1)
  echo "$lang: $stats"
  case "$stats" in
    *untranslated* | *fuzzy*)
      failed=1
      msgattrib --untranslated --only-fuzzy "$tmp/$lang.po" >/dev/null 2>&1 || true
      msgattrib --untranslated "$tmp/$lang.po" | grep '^msgid' | sed "s/^/  $lang missing: /" | head -20
      ;;
  esac
done
exit $failed
