#!/usr/bin/env bash
# close-output-then-hang.sh — fake agent: prints its pid, closes its stdout and stderr, then runs forever
# with both closed (only the round's timeout ends it).
echo "close-output-then-hang.sh pid $$"
exec >&- 2>&-
while :; do sleep 3600; done
