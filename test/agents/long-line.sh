#!/usr/bin/env bash
# long-line.sh — fake agent: writes ONE line of ${LINE_MB:-50} MiB with no newline until its very end.
# LINE_MODE=text (default): the bytes "abcdefghijklmnopqrstuvwxyz0123456789" repeated, cut at the size, then
# "\n". LINE_MODE=json: a would-be Claude stream-json line, {"type":"assistant","message":{"content":[{"type":
# "text","text":"xxxx…"}]}} whose text fills it to the size (the total line, newline excluded, is the size).
# Then it stays alive ${LINGER_S:-2} seconds (so a test can read the supervisor's memory) and exits
# ${EXIT_CODE:-0}.
size=$(( ${LINE_MB:-50} * 1024 * 1024 ))
if [ "${LINE_MODE:-text}" = json ]; then
  head='{"type":"assistant","message":{"content":[{"type":"text","text":"'
  tail='"}]}}'
  printf '%s' "$head"
  yes x | tr -d '\n' | head -c $(( size - ${#head} - ${#tail} ))
  printf '%s\n' "$tail"
else
  yes abcdefghijklmnopqrstuvwxyz0123456789 | tr -d '\n' | head -c "$size"
  printf '\n'
fi
sleep "${LINGER_S:-2}"
exit "${EXIT_CODE:-0}"
