#!/usr/bin/env bash
# version-probe.sh — fake agent, copied into a test's dir under a CLI's name (claude): answers `--version` in
# Claude Code's form with $FAKE_VERSION (default 2.1.0), and counts each probe in $PROBE_COUNT_FILE; otherwise
# (a round) it says one line and exits 0. Also run under its own name, where nothing may probe it.
if [ "$1" = "--version" ]; then
  [ -n "$PROBE_COUNT_FILE" ] && echo probe >> "$PROBE_COUNT_FILE"
  echo "${FAKE_VERSION:-2.1.0} (Claude Code)"
  exit 0
fi
cat > /dev/null
echo "version-probe.sh: a round's work"
exit 0
