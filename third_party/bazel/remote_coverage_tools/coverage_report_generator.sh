#!/usr/bin/env bash
# Concatenates the per-test lcov reports listed in --reports_file into --output_file.
set -euo pipefail
out=""
reports=""
for arg in "$@"; do
  case "$arg" in
    --output_file=*) out="${arg#--output_file=}" ;;
    --reports_file=*) reports="${arg#--reports_file=}" ;;
  esac
done
[ -n "$out" ] && [ -n "$reports" ] || { echo "coverage_report_generator: --output_file and --reports_file are required" >&2; exit 2; }
: >"$out"
while IFS= read -r report; do
  [ -n "$report" ] && cat "$report" >>"$out"
done <"$reports"
