#!/usr/bin/env bash
# build-rootfs.sh: the agent-runner image from Debian packages alone, with no container registry: mmdebstrap
# builds a trixie root filesystem (nodejs 20, git, tini), the project goes in, `podman import` makes the image.
# The same image as the Containerfile's: same user, paths, entrypoint and command (install-into.sh).
#
#   deploy/container/build-rootfs.sh [--tag NAME] [--tarball agent-runner-X.tgz] [--keep-rootfs FILE]
#   AGENT_CLIS="@anthropic-ai/claude-code@2.1.197" deploy/container/build-rootfs.sh --tag agent-runner-claude
#
# Needs mmdebstrap and podman (Debian packages of those names), root (or mmdebstrap's unshare mode), and
# Debian's mirror. Without --tarball it packs the checkout it is in (`npm pack`; run ./build.sh build first).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tag=localhost/agent-runner:latest
tarball=
keep=
suite=${SUITE:-trixie}
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag=$2; shift 2 ;;
    --tarball) tarball=$(realpath "$2"); shift 2 ;;
    --keep-rootfs) keep=$(realpath -m "$2"); shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-rootfs.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in mmdebstrap podman; do
  command -v "$tool" >/dev/null || { echo "build-rootfs.sh: needs $tool: apt-get install -y $tool" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/agent-runner-rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ -z "$tarball" ]; then
  [ -f "$repo/build/bundle/cli/main.cjs" ] || { echo "build-rootfs.sh: build first: ./build.sh build" >&2; exit 1; }
  (cd "$repo" && npm pack --pack-destination "$work" --loglevel=error >/dev/null)
  tarball=$(ls "$work"/agent-runner-*.tgz)
fi
cp "$tarball" "$work/agent-runner.tgz"
cp "$here/install-into.sh" "$work/"

include=nodejs,git,tini,ca-certificates
hooks=(--customize-hook="sh '$work/install-into.sh' \"\$1\" '$work/agent-runner.tgz'")
if [ -n "${AGENT_CLIS:-}" ]; then
  include+=,npm
  hooks+=(--chrooted-customize-hook="npm install -g --prefix /opt/agent-clis --no-fund --no-audit $AGENT_CLIS")
fi
rootfs=${keep:-$work/rootfs.tar}
mmdebstrap --quiet --variant=apt --include="$include" \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
  "${hooks[@]}" "$suite" "$rootfs"

podman import --quiet \
  --change 'ENV PATH=/opt/agent-clis/bin:/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV HOME=/home/agent' \
  --change 'ENV XDG_STATE_HOME=/data/state' \
  --change 'USER agent' \
  --change 'WORKDIR /data/work' \
  --change 'VOLUME /data' \
  --change 'ENTRYPOINT ["/usr/bin/tini", "--", "agent-runner"]' \
  --change 'CMD ["serve", "--park"]' \
  "$rootfs" "$tag" >/dev/null
echo "$tag"
