#!/usr/bin/env bash
# auth-error.sh — fake agent: prints Claude Code's "not logged in" message to stdout and exits 1
# (the real CLI's output: test/fixtures/agents/claude-p-nokey.txt).
echo "Not logged in · Please run /login"
exit 1
