#!/usr/bin/env bash
# The bundled demo agent: no model, no network. Each round it reads the prompt on stdin, appends a line
# to NOTES.md and commits it, so a scratch project shows real rounds, commits and the ledger.
# DEMO_MODE picks what goes wrong instead (./build.sh demo shows each):
#   dirty        leaves its edit uncommitted (orphan work, stashed by SHA)
#   hang         starts a small process tree (one of them escapes into its own session) and never ends
#   usage-limit  the first time, reports a usage limit that resets in ${DEMO_RESET_S:-5}s (Claude Code's words)
#   auth         cannot log in (Claude Code's words)
set -euo pipefail
prompt=$(cat)
round=${AGENT_RUNNER_ROUND:-?}
words=$(printf '%s' "$prompt" | wc -w)
echo "demo agent: round $round, read a prompt of $words words"
case "${DEMO_MODE:-}" in
  hang)
    sleep 600 &                      # a child, in the round's process group
    bash -c 'sleep 600 & wait' &     # a child with a grandchild
    setsid sleep 600 &               # one that leaves the group: the sweep finds it by the round's tag
    echo "demo agent: started 3 helpers (one in its own session); now working forever"
    wait
    ;;
  usage-limit)
    # once per project: the mark lives in .git, outside the work tree
    mark="$(git rev-parse --git-dir)/demo-usage-limit"
    if [ ! -e "$mark" ]; then
      touch "$mark"
      echo "Claude AI usage limit reached|$(( $(date +%s) + ${DEMO_RESET_S:-5} ))"
      exit 1
    fi
    ;;
  auth)
    echo "Not logged in · Please run /login"
    exit 1
    ;;
esac
sleep "${DEMO_SLEEP:-0.3}"
printf -- '- round %s: worked on the goal (%s)\n' "$round" "$(date -u +%H:%M:%S)" >> NOTES.md
if [ "${DEMO_MODE:-}" = dirty ] || [ "${DEMO_DIRTY:-0}" = 1 ]; then
  echo "demo agent: leaving the edit uncommitted"
  exit 0
fi
git add NOTES.md
git commit -q -m "demo: round $round notes"
echo "demo agent: committed $(git rev-parse --short HEAD)"
