#!/usr/bin/env bash
# tmp-litter.sh — fake agent that ignores TMPDIR and writes straight into the shared dir $LITTER_DIR (default
# /tmp): one 64 KiB file per round, named with $LITTER_PREFIX (default ar-litter-) and the round number, left
# behind as a careless CLI leaves its shared objects. With SECRET=1 the file is 0644 and holds a token.
dir="${LITTER_DIR:-/tmp}"
f="$dir/${LITTER_PREFIX:-ar-litter-}$AGENT_RUNNER_ROUND-$$"
head -c 65536 /dev/zero > "$f"
if [ "${SECRET:-0}" = 1 ]; then
  chmod 0644 "$f"
  printf 'GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz\n' > "$f"
fi
echo "tmp-litter: left $f"
