#!/usr/bin/env bash
# fail-same-words.sh — fake agent: fails with the same error each round, but with other numbers, ids and paths in it
# (a request id, a duration, a temp path), and exits 1. With WORDS set it says those instead.
r=${AGENT_RUNNER_ROUND:-0}
echo "working on round $r"
echo "${WORDS:-Error: request req_${RANDOM}a${r} failed after $((RANDOM % 900 + 100))ms reading /tmp/cache-$RANDOM/index.json}" >&2
exit 1
