#!/usr/bin/env bash
# env-scrub-escape.sh — fake agent that leaves an escapee only a cgroup can find: an intermediate shell in a new
# session forks a grandchild that scrubs its whole environment (`env -i`: no round tag, no state dir) and exits at
# once (double fork). The grandchild is reparented to init (or the nearest subreaper), is in another session and
# process group, is no descendant of the agent, holds none of its pipes and carries none of its variables.
# Writes the grandchild's pid to $PIDS_FILE (atomically), prints a line and exits 0; with HANG=1 it hangs
# instead (a round to stop, kill or time out).
: "${PIDS_FILE:?set PIDS_FILE to the file that receives the escapee pid}"
tmp="$PIDS_FILE.tmp.$$"
setsid -w bash -c '
  ( exec env -i sleep 1000000 </dev/null >/dev/null 2>&1 ) &
  echo $! > "$1"
' env-scrub-intermediate "$tmp" </dev/null >/dev/null 2>&1
# it carries the round's variables until `env -i` has run and `sleep` is exec'd: only then is it an escapee no
# sweep can find (a sweep that reads its environ in between finds the tag and ends it: seen on a loaded machine)
pid=$(cat "$tmp")
while [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != sleep ] && [ -e "/proc/$pid" ]; do sleep 0.01; done
mv "$tmp" "$PIDS_FILE"
echo "env-scrub-escape.sh: escapee started"
if [ "${HANG:-0}" = 1 ]; then while :; do sleep 3600; done; fi
exit 0
