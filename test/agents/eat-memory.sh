#!/usr/bin/env bash
# eat-memory.sh — fake agent that holds ever more memory: ${EAT_MB:-1024} MiB in one shell variable, 16 MiB at
# a time, then says how much it holds and exits 0. Under a memory limit below that, the kernel's OOM killer
# ends it first (SIGKILL).
echo "eat-memory.sh: eating ${EAT_MB:-1024} MiB"
chunk=$(head -c $((16 * 1024 * 1024)) /dev/zero | tr '\0' x)
all=
for ((i = 0; i < ${EAT_MB:-1024} / 16; i++)); do all+=$chunk; done
echo "eat-memory.sh: holding ${#all} bytes"
