#!/usr/bin/env bash
# setsid-grandchild.sh — fake agent that leaves an escapee: starts, via `setsid`, an intermediate shell in a
# new session that forks two `sleep` grandchildren and exits at once (double fork), so the grandchildren are
# reparented to init (or the nearest subreaper), live in their own session, and still hold our stdout/stderr.
# Writes the grandchild pids to $PIDS_FILE (one per line, the file appears complete, atomically), prints
# "grandchildren started", then hangs; with EXIT_EARLY=1 it exits 0 instead, leaving the grandchildren behind.
: "${PIDS_FILE:?set PIDS_FILE to the file that receives the grandchild pids}"
tmp="$PIDS_FILE.tmp.$$"
setsid -w bash -c '
  sleep 1000000 &
  echo $! >> "$1"
  sleep 1000000 &
  echo $! >> "$1"
' setsid-intermediate "$tmp" &
wait $!
mv "$tmp" "$PIDS_FILE"
echo "setsid-grandchild.sh: grandchildren started"
if [ "${EXIT_EARLY:-0}" = 1 ]; then exit 0; fi
while :; do sleep 3600; done
