#!/usr/bin/env bash
# Says which root-only test groups were skipped, from the log test/support/rootOnly.ts appends to
# (the file PATHWISE_SKIP_LOG names, or $1), and fails when any were, unless PATHWISE_ALLOW_SKIPS=1.
# Its last line is the verdict. .ci/run calls it after the tests.
set -euo pipefail
log="${1:-${PATHWISE_SKIP_LOG:-}}"
if [ -z "$log" ]; then
  echo "skipped-tests.sh: no skip log (pass it, or set PATHWISE_SKIP_LOG)" >&2
  exit 2
fi
if [ ! -s "$log" ]; then
  echo "No root-only test group was skipped."
  exit 0
fi
groups="$(sort -u "$log")"
count="$(printf '%s\n' "$groups" | wc -l | tr -d ' ')"
reasons="$(printf '%s\n' "$groups" | cut -f2 | sort -u | paste -sd ';' - | sed 's/;/; /g')"
printf '%s\n' "$groups" | while IFS=$'\t' read -r title why; do
  echo "  skipped: ${title} (${why})"
done
if [ "${PATHWISE_ALLOW_SKIPS:-}" = "1" ]; then
  echo "${count} root-only test groups were skipped (allowed by PATHWISE_ALLOW_SKIPS=1): ${reasons}"
  exit 0
fi
echo "${count} root-only test groups were skipped: ${reasons}. Run as root with namespaces, or set PATHWISE_ALLOW_SKIPS=1 to accept."
exit 1
