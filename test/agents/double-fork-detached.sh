#!/usr/bin/env bash
# double-fork-detached.sh — fake agent that leaves a daemon behind: an intermediate shell calls setsid and
# forks a grandchild that closes stdin/stdout/stderr (redirects them to /dev/null) and exits at once (double
# fork). The grandchild is reparented to init (or the nearest subreaper), is in another session and process
# group, is no descendant of the agent and holds none of its pipes: only the round's environment tag ties it
# to the round. Writes the grandchild's pid to $PIDS_FILE, prints a line and exits 0.
: "${PIDS_FILE:?set PIDS_FILE to the file that receives the grandchild pid}"
tmp="$PIDS_FILE.tmp.$$"
setsid -w bash -c '
  ( exec sleep 1000000 </dev/null >/dev/null 2>&1 ) &
  echo $! > "$1"
' double-fork-intermediate "$tmp" </dev/null >/dev/null 2>&1
mv "$tmp" "$PIDS_FILE"
echo "double-fork-detached.sh: daemon started"
exit 0
