#!/usr/bin/env bash
# random-work.sh — fake agent for kill faults: records its pid and its children's pids, works a random short
# while, and sometimes commits or leaves the tree dirty.
#   PIDS_DIR (required): the agent appends "$$" and each child's pid to $PIDS_DIR/$AGENT_RUNNER_ROUND.pids,
#     one per line, before it does anything else that takes time.
#   MAX_SLEEP_MS (default 300): the round lasts a random 0..MAX_SLEEP_MS ms.
#   SEED (optional): seeds $RANDOM with SEED + round, so a run can be replayed.
#   If $PIDS_DIR/hang exists the agent sleeps until killed instead (checked once, at start).
# Children: one background `sleep` in the agent's group and one `setsid` escapee in its own session; both
# outlive the agent unless the round's sweep ends them (they hold no pipe of ours: redirected to /dev/null).
: "${PIDS_DIR:?set PIDS_DIR}"
if [ -n "${SEED:-}" ]; then RANDOM=$(( SEED + ${AGENT_RUNNER_ROUND:-0} )); fi
pids="$PIDS_DIR/${AGENT_RUNNER_ROUND:-x}.pids"
echo $$ >> "$pids"
sleep 1000 </dev/null >/dev/null 2>&1 &
echo $! >> "$pids"
setsid sleep 1000 </dev/null >/dev/null 2>&1 &
echo $! >> "$pids"
echo "random-work.sh: round ${AGENT_RUNNER_ROUND:-?} pid $$"
if [ -e "$PIDS_DIR/hang" ]; then
  while :; do sleep 1; done
fi
max=${MAX_SLEEP_MS:-300}
ms=$(( RANDOM % (max + 1) ))
sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
case $(( RANDOM % 3 )) in
  0) echo "round ${AGENT_RUNNER_ROUND:-?}" >> work.txt && git add work.txt && git commit -q -m "round ${AGENT_RUNNER_ROUND:-?}" ;;
  1) echo "wip ${AGENT_RUNNER_ROUND:-?}" >> wip.txt ;;
  *) : ;;
esac
echo "random-work.sh: done"
exit 0
