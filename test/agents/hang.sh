#!/usr/bin/env bash
# hang.sh — fake agent: prints its pid, then sleeps forever (never exits on its own; TERM ends it).
echo "hang.sh pid $$"
while :; do sleep 3600; done
