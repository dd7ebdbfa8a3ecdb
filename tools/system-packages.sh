#!/bin/sh
# Install the Debian packages `make test` needs, before any test runs.
#   tools/system-packages.sh PACKAGE...
# As root: apt-get. Otherwise through sudo when it works without a password prompt. Otherwise one
# line saying the command to run, and a non-zero exit (nothing is tested half-equipped).
set -eu
missing=""
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "make test needs these Debian packages:$missing (no apt-get here: install their equivalents, see README.md)" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  run=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run="sudo"
else
  echo "make test needs Debian packages first; run: sudo apt-get install -y$missing" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$run apt-get update -qq
$run apt-get install -y -qq $missing >/dev/null
