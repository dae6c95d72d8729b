#!/usr/bin/env bash
# tmp-fill.sh — fake agent that fills its temp dir: 10 MB into $TMPDIR, and a child started with `setsid` (its
# own session, as a CLI's helper daemon would be) writes 2 MB more there and stays alive. With SECRET=1 it also
# leaves a world-readable (0644) report holding an API key, as Gemini CLI's error report holds the conversation.
# With HANG=1 it hangs once everything is written (prints "tmp-fill: written" first), else it exits 0.
: "${TMPDIR:?TMPDIR is not set}"
head -c 10485760 /dev/zero > "$TMPDIR/big.bin"
setsid bash -c 'mkdir -p "$1/child" && head -c 2097152 /dev/zero > "$1/child/more.bin" && : > "$1/child.done"; exec sleep 1000000' tmp-fill-child "$TMPDIR" </dev/null >/dev/null 2>&1 &
while [ ! -e "$TMPDIR/child.done" ]; do sleep 0.05; done
if [ "${SECRET:-0}" = 1 ]; then
  umask 022
  printf '{"conversation":[{"role":"user","text":"hi"}],"api_key":"sk-test-0123456789abcdefghij"}\n' > "$TMPDIR/error-report.json"
fi
echo "tmp-fill: written to $TMPDIR"
if [ "${HANG:-0}" = 1 ]; then while :; do sleep 3600; done; fi
exit "${FAIL_CODE:-0}"
