#!/usr/bin/env bash
# close-output-then-exit.sh — fake agent: prints one line, closes its stdout and stderr, runs on for
# ${RUN_ON_S:-3} seconds with both closed, writes its exit time (ms since the epoch) to $MARK_FILE and exits 0.
# The supervisor sees EOF on both pipes long before the process exits.
: "${MARK_FILE:?set MARK_FILE}"
echo "close-output-then-exit.sh: closing my output"
exec >&- 2>&-
sleep "${RUN_ON_S:-3}"
date +%s%3N > "$MARK_FILE"
exit 0
