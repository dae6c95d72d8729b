#!/usr/bin/env bash
# echo-stdin-slow.sh — fake agent: copies its stdin to stdout, then works for SLOW_S seconds (default 2) and exits 0.
cat
sleep "${SLOW_S:-2}"
exit 0
