#!/usr/bin/env bash
# break-tree-lock.sh — fake agent: replaces the supervisor's work-tree lock (in .git, which agents can write)
# with a directory, then exits 0.
lock=$(ls "$(git rev-parse --git-common-dir)"/agent-runner/worktree-*.lock 2>/dev/null | head -n 1)
[ -n "$lock" ] || { echo "no work-tree lock found" >&2; exit 2; }
rm -f "$lock" && mkdir "$lock"
exit 0
