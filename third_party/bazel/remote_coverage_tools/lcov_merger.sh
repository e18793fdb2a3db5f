#!/usr/bin/env bash
# Concatenates every lcov file a test wrote into $COVERAGE_DIR into --output_file.
set -euo pipefail
out=""
for arg in "$@"; do
  case "$arg" in
    --output_file=*) out="${arg#--output_file=}" ;;
  esac
done
[ -n "$out" ] || { echo "lcov_merger: --output_file is required" >&2; exit 2; }
: >"$out"
shopt -s nullglob
for f in "${COVERAGE_DIR:-/nonexistent}"/*.dat; do
  cat "$f" >>"$out"
done
