#!/usr/bin/env bash
# The bundled demo agent: no model, no network. Each round it reads the prompt on stdin, appends a line
# to NOTES.md and commits it, so a scratch project shows real rounds, commits and the ledger.
# DEMO_DIRTY=1 leaves its edit uncommitted (to show orphan work being stashed by SHA).
set -euo pipefail
prompt=$(cat)
round=${AGENT_RUNNER_ROUND:-?}
words=$(printf '%s' "$prompt" | wc -w)
echo "demo agent: round $round, read a prompt of $words words"
sleep "${DEMO_SLEEP:-0.3}"
printf -- '- round %s: worked on the goal (%s)\n' "$round" "$(date -u +%H:%M:%S)" >> NOTES.md
if [ "${DEMO_DIRTY:-0}" = 1 ]; then
  echo "demo agent: leaving the edit uncommitted"
  exit 0
fi
git add NOTES.md
git commit -q -m "demo: round $round notes"
echo "demo agent: committed $(git rev-parse --short HEAD)"
