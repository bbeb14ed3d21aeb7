#!/usr/bin/env bash
# Installs Virtuoso 7 (Debian's virtuoso-opensource-7-bin: /usr/bin/virtuoso-t) for the push tests.
# Idempotent: does nothing when virtuoso-t is already on PATH; runs apt-get update only when the
# package is not yet known to apt. Needs root (or sudo) on a Debian/Ubuntu image.
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1; then
  echo "virtuoso-t already installed: $(command -v virtuoso-t)" >&2
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
PACKAGE=virtuoso-opensource-7-bin

if ! apt-cache show "$PACKAGE" >/dev/null 2>&1; then
  $SUDO apt-get update
fi
$SUDO apt-get install -y --no-install-recommends "$PACKAGE"
command -v virtuoso-t >/dev/null
echo "installed $(virtuoso-t -? 2>&1 | sed -n 2p)" >&2
