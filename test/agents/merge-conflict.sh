#!/usr/bin/env bash
# merge-conflict.sh — fake agent: commits a change to README.md on a new branch and a conflicting one on the
# branch it started on, writes an untracked notes file, then merges the new branch: the merge stops on the
# conflict and the agent exits 0 anyway, leaving MERGE_HEAD, an unmerged README.md (with conflict markers)
# and the notes file behind. Needs a README.md and a git identity in the work tree.
set -e
start=$(git symbolic-ref -q --short HEAD || git rev-parse HEAD)
side="agent-side-${AGENT_RUNNER_ROUND:-0}"
git checkout -q -b "$side"
echo "side of round ${AGENT_RUNNER_ROUND:-?}" > README.md
git commit -q -am "merge-conflict.sh: side"
git checkout -q "$start"
echo "main of round ${AGENT_RUNNER_ROUND:-?}" > README.md
git commit -q -am "merge-conflict.sh: main"
echo "agent notes" > merge-notes.txt
git merge -q "$side" >/dev/null 2>&1 || true
echo "merge-conflict.sh: left a conflicted merge of $side"
exit 0
