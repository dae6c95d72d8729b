#!/usr/bin/env bash
# usage-limit-once.sh — fake agent: in round 1 prints Claude Code's machine-form usage limit with a reset
# ${RESET_IN_S:-3600}s from now and exits 1; in every later round prints one line and exits 0.
if [ "${AGENT_RUNNER_ROUND:-1}" = 1 ]; then
  echo "Claude AI usage limit reached|$(( $(date +%s) + ${RESET_IN_S:-3600} ))"
  exit 1
fi
echo "usage-limit-once.sh: round ${AGENT_RUNNER_ROUND}: all done"
exit 0
