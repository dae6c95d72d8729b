#!/usr/bin/env bash
# dirty-tree.sh — fake agent: modifies README.md (if present), creates a new file and a new directory in
# the cwd, commits nothing, and exits 0: the round leaves a dirty work tree behind.
set -e
if [ -f README.md ]; then echo "edited by dirty-tree.sh" >> README.md; fi
echo "work in progress" > dirty-tree-output.txt
mkdir -p dirty-notes
echo "todo: finish this" > dirty-notes/todo.md
echo "dirty-tree.sh: left uncommitted changes"
exit 0
