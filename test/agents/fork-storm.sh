#!/usr/bin/env bash
# fork-storm.sh — fake agent: spawns ${STORM_N:-200} sleeping children, every 4th of them ignoring TERM
# (only KILL ends those), prints "fork-storm.sh: N children started", then hangs.
n=${STORM_N:-200}
for ((i = 0; i < n; i++)); do
  if (( i % 4 == 0 )); then
    ( trap '' TERM; exec sleep 1000000 ) &   # an ignored signal stays ignored across exec
  else
    sleep 1000000 &
  fi
done
echo "fork-storm.sh: $n children started"
while :; do sleep 3600; done
