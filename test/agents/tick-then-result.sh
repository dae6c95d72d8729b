#!/usr/bin/env bash
# tick-then-result.sh — fake agent: prints "tick N" every ${TICK_S:-1}s, ${TICKS:-5} times, then a Claude
# stream-json result line, then stays silent for ${AFTER_RESULT_S:-3}s and exits 0 (a CLI that lingers
# briefly after its result, well inside result_grace_s).
for i in $(seq 1 "${TICKS:-5}"); do
  echo "tick $i"
  sleep "${TICK_S:-1}"
done
echo '{"type":"result","subtype":"success","is_error":false,"num_turns":1,"result":"done"}'
sleep "${AFTER_RESULT_S:-3}"
exit 0
