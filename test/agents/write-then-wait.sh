#!/usr/bin/env bash
# write-then-wait.sh — fake agent: reads the prompt, appends a line to NOTES.md (commits nothing), says so, then
# waits ${WAIT_S:-600}s: a round with work in the tree when a stop, a cancel or a kill ends it.
cat >/dev/null
echo "round ${AGENT_RUNNER_ROUND:-?}: written before the stop" >>NOTES.md
echo "write-then-wait.sh: wrote NOTES.md; waiting"
sleep "${WAIT_S:-600}"
