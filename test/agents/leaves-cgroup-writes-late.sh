#!/usr/bin/env bash
# leaves-cgroup-writes-late.sh — fake agent that leaves a process outside its round's cgroup, as `systemd-run --scope`
# would: a background child moves itself into the cgroup its supervisor runs in, and writes late.txt into the work
# tree only when it is asked to stop (the sweep's TERM), 0.3 s after. The agent exits 0 once the child is out, so
# the round's cgroup is empty at its exit, and the file appears only after the sweep has found the child.
set -u
mnt=$(grep ' - cgroup2 ' /proc/self/mountinfo | head -n1 | cut -d' ' -f5)
outside="$mnt$(sed -n 's/^0:://p' "/proc/$PPID/cgroup")/cgroup.procs"
hold="$TMPDIR/hold"
mkfifo "$hold"
(
  exec 9<>"$hold"
  # read -t on a pipe nobody writes: a wait with no child process, which the sweep's TERM cannot cut short
  trap 'trap "" TERM; read -r -t 0.3 -u 9; echo late > late.txt; exit 0' TERM
  echo "$BASHPID" > "$outside" || exit 1
  : > "$TMPDIR/moved"
  while :; do
    sleep 1 &
    wait $!
  done
) &
for _ in $(seq 500); do
  if [ -e "$TMPDIR/moved" ]; then echo "leaves-cgroup-writes-late.sh: a child left the round's cgroup"; exit 0; fi
  sleep 0.01
done
echo "leaves-cgroup-writes-late.sh: the child could not leave the round's cgroup" >&2
exit 1
