#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian/Ubuntu machine, then the npm dependencies and the
# dashboard build. Idempotent: system packages are installed only when missing.
#   chromium        browser tests (driven by playwright-core; never downloaded by npm)
#   redis-server    cluster-mode tests start their own redis-server on a free port
#   ffmpeg          video/camera frame sources
#   python3-websockets  the Python publisher example
#   prometheus      its promtool lints GET /metrics (the server it also installs is stopped and disabled)
#   openssl         makes the self-signed certificate of the TLS test
#   nginx           runs deploy/nginx.conf in front of two nodes (its own server is stopped and disabled)
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
need=()
command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v redis-server >/dev/null || need+=(redis-server)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
python3 -c 'import websockets' 2>/dev/null || need+=(python3-websockets)
command -v promtool >/dev/null || need+=(prometheus)
command -v openssl >/dev/null || need+=(openssl)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing system packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Only promtool and the nginx binary are wanted: where the packages started their servers, stop them.
  for svc in prometheus nginx; do
    if [[ " ${need[*]} " == *" $svc "* ]]; then
      if command -v systemctl >/dev/null; then $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
      $SUDO pkill -x "$svc" >/dev/null 2>&1 || true
    fi
  done
fi
# npm ci runs `prepare`: the build (packages/*/dist, the dashboard) the release test and `npm start` use.
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
# The benchmarks' own peers (Socket.IO), outside tablecast's install; `npm run check` type-checks bench/.
npm ci --prefix bench --no-audit --no-fund --silent
