#!/usr/bin/env bash
# ignore-term.sh — fake agent: traps TERM, prints "TERM ignored" when one arrives, and keeps running;
# only KILL ends it. Prints its pid at start.
trap 'echo "ignore-term.sh: TERM ignored"' TERM
echo "ignore-term.sh pid $$"
# `sleep & wait` so the trap runs as soon as TERM arrives instead of after the sleep
while :; do
  sleep 3600 &
  wait $!
done
