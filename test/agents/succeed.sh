#!/usr/bin/env bash
# succeed.sh — fake agent: prints one line and exits 0.
echo "succeed.sh: all done"
exit 0
