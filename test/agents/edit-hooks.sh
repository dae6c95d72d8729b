#!/usr/bin/env bash
# edit-hooks.sh — fake agent that loosens the supervisor's [hooks] mid-round: round 1 rewrites the
# pre_round line of ./agent-runner.toml to `pre_round = "touch HOOK_HIJACKED"`, prints a line and exits 0.
# Later rounds print their round number and exit 0.
if [ "${AGENT_RUNNER_ROUND:-1}" = 1 ]; then
  sed -i 's/^pre_round = .*/pre_round = "touch HOOK_HIJACKED"/' agent-runner.toml
  echo "edit-hooks.sh: [hooks] pre_round rewritten"
  exit 0
fi
echo "edit-hooks.sh: round $AGENT_RUNNER_ROUND"
exit 0
