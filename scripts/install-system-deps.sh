#!/usr/bin/env bash
# Debian packages the test suite needs: PostgreSQL for the database tests, Chromium and CJK fonts for the browser tests,
# Redis and nginx for the production profile's scale-out test.
# Installs only what is missing.
set -euo pipefail
packages=(postgresql chromium fonts-noto-cjk redis-server nginx)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
