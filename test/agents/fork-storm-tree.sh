#!/usr/bin/env bash
# fork-storm-tree.sh — fake agent: a nested fork storm. ${STORM_BRANCH:-8} subshells, each starting
# ${STORM_BRANCH} subshells, each starting ${STORM_LEAVES:-4} sleeping leaves (8 + 64 + 256 = 328 processes by
# default, three levels deep); every 3rd leaf ignores TERM (only KILL ends it). Each process appends its pid to
# $PIDS_FILE.tmp; the file is renamed to $PIDS_FILE when every pid is in it. Then it prints
# "fork-storm-tree.sh: N processes started" and exits 0 (STORM_EXIT=1, the default), leaving the storm behind,
# or hangs (STORM_EXIT=0).
: "${PIDS_FILE:?set PIDS_FILE to the file that receives the pids}"
b=${STORM_BRANCH:-8}
leaves=${STORM_LEAVES:-4}
tmp="$PIDS_FILE.tmp"
: > "$tmp"
leaf() {
  if (( $1 % 3 == 0 )); then
    ( trap '' TERM; exec sleep 1000000 ) &
  else
    sleep 1000000 &
  fi
  echo $! >> "$tmp"
}
for ((i = 0; i < b; i++)); do
  (
    for ((j = 0; j < b; j++)); do
      (
        for ((k = 0; k < leaves; k++)); do leaf $k; done
        echo "$BASHPID" >> "$tmp"
        while :; do sleep 3600; done
      ) &
    done
    echo "$BASHPID" >> "$tmp"
    while :; do sleep 3600; done
  ) &
done
want=$(( b + b * b + b * b * leaves ))
# every process writes its own pid: wait until all are in (bounded: 60 s)
for ((t = 0; t < 600; t++)); do
  (( $(wc -l < "$tmp") >= want )) && break
  sleep 0.1
done
mv "$tmp" "$PIDS_FILE"
echo "fork-storm-tree.sh: $(wc -l < "$PIDS_FILE") processes started"
if [ "${STORM_EXIT:-1}" = 1 ]; then exit 0; fi
while :; do sleep 3600; done
