#!/usr/bin/env bash
# slow-dirty.sh — fake agent: copies its stdin (the prompt) to stdout, then writes ${DIRTY_N:-5} new files
# agent-r<round>-<i>.txt one at a time with ${DIRTY_PAUSE:-0.1}s between them, appends a line to README.md
# (if present), commits nothing, and exits 0: the round leaves a dirty tree that took a while to make.
cat
r=${AGENT_RUNNER_ROUND:-0}
for ((i = 1; i <= ${DIRTY_N:-5}; i++)); do
  echo "round $r file $i" > "agent-r$r-$i.txt"
  sleep "${DIRTY_PAUSE:-0.1}"
done
if [ -f README.md ]; then echo "round $r edit" >> README.md; fi
echo "slow-dirty.sh: left ${DIRTY_N:-5} files and a README edit"
exit 0
