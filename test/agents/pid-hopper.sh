#!/usr/bin/env bash
# pid-hopper.sh — fake agent that leaves behind a process whose pid changes all the time: it forks a copy of
# itself and exits, again and again, so whatever pid a /proc scan found has exited before the signal lands, and
# its copy was born after the scan. It keeps the round's environment (a scan sees it every time, and still
# misses it). It hops for HOP_S seconds (default 20) and then ends by itself, so that a test that could not
# end it does not leave it behind for long. Writes its first pid to $PIDS_FILE, prints a line and exits 0.
: "${PIDS_FILE:?set PIDS_FILE to the file that receives the first pid of the hopper}"
stop_at=$((EPOCHSECONDS + ${HOP_S:-20}))
hop() {
  # no fork but the hop itself: each copy lives only as long as one fork takes
  while [ "$EPOCHSECONDS" -lt "$stop_at" ]; do
    hop &
    exit 0
  done
}
setsid bash -c "$(declare -f hop); stop_at=$stop_at; "'echo $$ > "$1.tmp" && mv "$1.tmp" "$1"; hop' pid-hopper "$PIDS_FILE" </dev/null >/dev/null 2>&1 &
while [ ! -s "$PIDS_FILE" ]; do sleep 0.01; done
echo "pid-hopper.sh: hopping"
exit 0
