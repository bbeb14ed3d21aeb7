#!/usr/bin/env bash
# Debian packages some tests use (each test skips with a reason where its program is missing,
# but CI installs them so that every test runs). Idempotent: installs only what is missing.
set -euo pipefail

want=()
command -v rapper >/dev/null 2>&1 || want+=(raptor2-utils)
# The static site's tests: a real browser, and the Apache and nginx recipes in real servers.
[ -x /usr/bin/chromium ] || want+=(chromium)
command -v apache2 >/dev/null 2>&1 || [ -x /usr/sbin/apache2 ] || want+=(apache2)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || want+=(nginx-light)
# HermiT (the OWL 2 DL reasoner that owlready2 ships) runs on Java: tests/test_ontology_reasoner.py.
command -v java >/dev/null 2>&1 || want+=(default-jre-headless)
# GNU time: bench/run.py reads each process's peak memory through it (tests/test_bench.py).
[ -x /usr/bin/time ] || want+=(time)

if [ "${#want[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${want[@]}"
  else
    echo "install-system-packages: no apt-get; tests needing ${want[*]} will skip" >&2
  fi
fi
