#!/usr/bin/env bash
# work-with-usage.sh — fake agent for the dashboard: prints "working N" every ${TICK_S:-0.4}s, ${TICKS:-4}
# times (live output), one line holding a fake API key (which must never reach a page; then ${KEY_HOLD_S:-0}s of
# quiet), commits a line to
# WORK.md, then a Claude stream-json init + result with token usage and cost, and exits 0.
set -euo pipefail
round=${AGENT_RUNNER_ROUND:-0}
echo '{"type":"system","subtype":"init","model":"claude-sonnet-4-5"}'
for i in $(seq 1 "${TICKS:-4}"); do
  echo "working $i of round $round"
  sleep "${TICK_S:-0.4}"
done
echo "debug: using key sk-ant-api03-DASHBOARDsecretDASHBOARDsecretDASHBOARDsecret0000"
sleep "${KEY_HOLD_S:-0}" # the key line stays the round's last for a while: a page watching it live can see it
printf -- '- round %s\n' "$round" >> WORK.md
git add WORK.md
git commit -q -m "work: round $round <b>bold</b>"
in=$((1000 * round + 200)); out=$((300 + 10 * round))
echo "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"num_turns\":2,\"result\":\"done\",\"total_cost_usd\":0.0$((10 + round)),\"usage\":{\"input_tokens\":$in,\"output_tokens\":$out,\"cache_read_input_tokens\":500,\"cache_creation_input_tokens\":0}}"
exit 0
