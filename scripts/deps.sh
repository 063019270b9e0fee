#!/usr/bin/env bash
# Installs the Debian packages tousu needs to build, run and test, only those missing.
# Usage: scripts/deps.sh [build|test]   (test adds the test-only tools)
set -euo pipefail
want=(build-essential cmake pkg-config tzdata
      libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libcurl4-openssl-dev libicu-dev sqlite3
      libcairo2-dev libpango1.0-dev fonts-noto-cjk libxlsxwriter-dev
      nodejs npm)  # node and npm build the web application (web/ → web/dist)
if [ "${1:-build}" = test ]; then
  # chromium: the browser tests drive Debian's own (tests/web; never a downloaded one)
  want+=(libcmocka-dev wrk poppler-utils chromium)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node may come from outside Debian's package (as on the dev machines); accept any node >= 18,
# and the npm that came with it (NodeSource's nodejs package carries its own npm).
if printf '%s\n' "${missing[@]}" | grep -qx nodejs && command -v node >/dev/null \
   && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ]; then
  missing=("${missing[@]/nodejs}")
fi
if printf '%s\n' "${missing[@]}" | grep -qx npm && command -v npm >/dev/null; then
  missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "tousu: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "tousu: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
