#!/usr/bin/env bash
# Renders an HTML audit report in headless Chromium, offline, and checks what a reader sees:
# the page loads without any network request, its plots and gallery images are drawn, and a
# screenshot is written next to it.
#   usage: scripts/check-html-report.sh reports/audit.html [screenshot.png]
# Needs Debian's chromium (apt-get install -y chromium).
set -euo pipefail
report=$(readlink -f "${1:?usage: $0 REPORT.html [SCREENSHOT.png]}")
shot=$(readlink -m "${2:-${report%.html}.png}")
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium not found: apt-get install -y chromium" >&2; exit 2; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir="$profile" --proxy-server="127.0.0.1:9"
  --proxy-bypass-list="<-loopback>")
# every request other than the file itself would go to a dead proxy and fail the checks below
dom=$("$browser" "${flags[@]}" --virtual-time-budget=3000 --dump-dom "file://$report" 2>/dev/null)
"$browser" "${flags[@]}" --window-size=1280,2400 --screenshot="$shot" "file://$report" >/dev/null 2>&1
fail=0
check() { if grep -q "$2" <<<"$dom"; then echo "ok: $1"; else echo "MISSING: $1"; fail=1; fi; }
check "the title" "<h1>Rampart robustness audit</h1>"
check "a robust-accuracy plot" "<svg class=\"plot\""
check "plot points with their intervals" "<circle"
check "gallery images embedded as PNG" "data:image/png;base64,"
check "per-class table" "Per class"
check "provenance" "How this report was made"
if grep -Eq "(src|href)=\"https?://" <<<"$dom"; then echo "FAIL: the page refers to the network"; fail=1; fi
[ -s "$shot" ] && echo "screenshot: $shot ($(stat -c %s "$shot") bytes)" || { echo "no screenshot"; fail=1; }
exit $fail
