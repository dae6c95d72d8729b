#!/usr/bin/env bash
# recorded-cluster-kubectl.sh — a fake `kubectl` for `monitor --kube` (linked as `kubectl` on the test's PATH).
#   get pods --output json …   prints the pod list in $FAKE_KUBE_DIR/pods.json (kubectl's v1 List shape)
#   exec POD [--container C] -- CMD…
#                              runs CMD as a local process "in" the pod: the dir $FAKE_KUBE_DIR/pods/<ns>/<pod>/
#                              holds its environment (env, sourced), its PATH (bin/, first) and its working
#                              dir (workdir); a pod without that dir is NotFound, in the API server's words
# Every call's arguments are appended to $FAKE_KUBE_DIR/calls.log: what the monitor asked the cluster.
set -u
dir=${FAKE_KUBE_DIR:?FAKE_KUBE_DIR is not set}
echo "$*" >> "$dir/calls.log"
ns=default
words=()
while [ $# -gt 0 ]; do
  case $1 in
    --context) shift 2 ;;
    --namespace | -n) ns=$2; shift 2 ;;
    --container | -c) shift 2 ;;
    --) shift; break ;;
    *) words+=("$1"); shift ;;
  esac
done
case "${words[0]:-} ${words[1]:-}" in
  "get pods")
    cat "$dir/pods.json"
    ;;
  exec\ *)
    pod=${words[1]}
    pd="$dir/pods/$ns/$pod"
    if [ ! -d "$pd" ]; then
      echo "Error from server (NotFound): pods \"$pod\" not found" >&2
      exit 1
    fi
    cd "$(cat "$pd/workdir")" || exit 1
    set -a
    . "$pd/env"
    set +a
    # as kubectl does: the command's exit code, and a line saying so when it failed
    PATH="$pd/bin:$PATH" "$@"
    rc=$?
    [ $rc -eq 0 ] || echo "command terminated with exit code $rc" >&2
    exit $rc
    ;;
  *)
    echo "error: this fake kubectl knows only get pods and exec: $*" >&2
    exit 1
    ;;
esac
