#!/usr/bin/env bash
# binary-noise.sh — fake agent: copies the bytes of $NOISE_FILE (anything: invalid UTF-8, NUL, \r, ANSI
# escapes) to its output unchanged and exits 0. Which output: $NOISE_STREAM (stdout | stderr), or, when
# NOISE_STREAM is "by-round", stdout in odd rounds and stderr in even ones ($AGENT_RUNNER_ROUND).
: "${NOISE_FILE:?set NOISE_FILE}"
stream=${NOISE_STREAM:-stdout}
if [ "$stream" = by-round ]; then
  if (( ${AGENT_RUNNER_ROUND:-1} % 2 == 1 )); then stream=stdout; else stream=stderr; fi
fi
if [ "$stream" = stderr ]; then cat -- "$NOISE_FILE" >&2; else cat -- "$NOISE_FILE"; fi
exit 0
