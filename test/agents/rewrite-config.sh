#!/usr/bin/env bash
# rewrite-config.sh — fake agent that edits the supervisor's own config mid-round. Round 1: writes a dirty
# file (work.txt), replaces ./agent-runner.toml with the contents of $NEW_CONFIG_FILE (valid but different, or
# not TOML at all), prints a line and exits 0. Later rounds: print their pid and hang (only a timeout ends them).
: "${NEW_CONFIG_FILE:?set NEW_CONFIG_FILE}"
if [ "${AGENT_RUNNER_ROUND:-1}" = 1 ]; then
  echo "work of round 1" > work.txt
  cat -- "$NEW_CONFIG_FILE" > agent-runner.toml
  echo "rewrite-config.sh: config rewritten"
  exit 0
fi
echo "rewrite-config.sh pid $$ (round $AGENT_RUNNER_ROUND)"
while :; do sleep 3600; done
