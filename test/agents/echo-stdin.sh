#!/usr/bin/env bash
# echo-stdin.sh — fake agent: copies its stdin to stdout (to check prompt delivery), then exits 0.
cat
exit 0
