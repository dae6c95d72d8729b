#!/usr/bin/env bash
# flood.sh — fake agent: writes exactly ${FLOOD_MB:-200} MiB to stdout as fast as it can, then exits 0.
# The content is the line "${FLOOD_LINE}\n" repeated (cut at the byte count), so a test can recompute it.
line=${FLOOD_LINE:-flood 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ}
yes "$line" | head -c $(( ${FLOOD_MB:-200} * 1024 * 1024 ))
# yes dies of SIGPIPE when head is done: the expected end; head's status says whether all was written
exit "${PIPESTATUS[1]}"
