#!/usr/bin/env bash
# Some tests run real programs: Prometheus and promtool (Debian package prometheus) and headless
# Chromium (Debian package chromium). Installs them when missing and allowed to (root with apt-get);
# otherwise says what to install and fails, so no test is silently skipped.
set -euo pipefail

missing=()
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages the tests need: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "the tests need these Debian packages: ${missing[*]}" >&2
echo "install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
exit 1
