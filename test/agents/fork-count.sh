#!/bin/sh
# fork-count.sh — fake agent (run it with sh: dash fails a fork at once, where bash retries for seconds): starts
# ${FORK_N:-32} sleeping children, printing "started N" after each; a fork that fails (a pids limit) ends the
# script with the shell's "Cannot fork". Exits 0 once all are started.
i=0
while [ "$i" -lt "${FORK_N:-32}" ]; do
  i=$((i + 1))
  sleep 1000 &
  echo "started $i"
done
