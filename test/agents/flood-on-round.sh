#!/usr/bin/env bash
# flood-on-round.sh — fake agent: in round ${FLOOD_ROUND} it floods stdout with ${FLOOD_MB} MiB (flood.sh), then
# touches ${FLOOD_DONE} and waits (at most 60 s) for ${FLOOD_HOLD} to exist before it exits with flood.sh's
# status (each step only when its variable is set); in any other round it prints one line and exits 0.
# Appends its pid to ${PIDS_FILE} when set.
[ -n "${PIDS_FILE:-}" ] && echo $$ >> "$PIDS_FILE"
if [ "${AGENT_RUNNER_ROUND:-}" = "${FLOOD_ROUND:-1}" ]; then
  bash "$(dirname "$0")/flood.sh"
  rc=$?
  [ -n "${FLOOD_DONE:-}" ] && : > "$FLOOD_DONE"
  if [ -n "${FLOOD_HOLD:-}" ]; then
    for _ in $(seq 600); do [ -e "$FLOOD_HOLD" ] && break; sleep 0.1; done
  fi
  exit "$rc"
fi
echo "flood-on-round.sh: round ${AGENT_RUNNER_ROUND:-?}, nothing to flood"
exit 0
