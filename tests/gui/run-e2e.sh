#!/bin/sh
# End-to-end GUI test through the accessibility tree (dogtail), in a private
# X server, session bus and accessibility bus:
#   tests/gui/run-e2e.sh APP_BINARY TEST_SCRIPT
# Works as root and with no session bus (CI). Uses /usr/bin/python3, which has gi.
set -eu
app=${1:?usage: run-e2e.sh APP_BINARY TEST_SCRIPT}
script=${2:?usage: run-e2e.sh APP_BINARY TEST_SCRIPT}
for tool in xvfb-run dbus-run-session /usr/libexec/at-spi-bus-launcher /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "run-e2e.sh: $tool is missing" >&2; exit 77; }
done

# Settings and runtime files stay in a scratch directory, not the user's.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/runtime"
export XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/runtime"
export DV_E2E_APP="$app" NO_AT_BRIDGE=0 GTK_A11Y=atspi

exec xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- sh -c '
  gsettings set org.gnome.desktop.interface toolkit-accessibility true
  /usr/libexec/at-spi-bus-launcher --launch-immediately &
  launcher=$!
  status=0
  /usr/bin/python3 "$0" || status=$?
  kill "$launcher" 2>/dev/null || true
  exit "$status"' "$script"
