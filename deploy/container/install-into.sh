#!/bin/sh
# install-into.sh ROOT TARBALL: puts agent-runner (the `npm pack` tarball, which carries its two dependencies)
# into the root filesystem ROOT, with the non-root user `agent` (uid 1000) and the data dir. Used by the
# Containerfile (ROOT=/) and by build-rootfs.sh (an mmdebstrap hook, ROOT=the new rootfs), so both images agree.
set -eu
root=$1
tarball=$2
mkdir -p "$root/opt/agent-runner" "$root/usr/local/bin"
tar -xzf "$tarball" -C "$root/opt/agent-runner" --strip-components=1 --no-same-owner
ln -sf /opt/agent-runner/bin/agent-runner.js "$root/usr/local/bin/agent-runner"
# the user, written into the files directly: the apt variant of a rootfs has no useradd, and the host's may differ
grep -q '^agent:' "$root/etc/group" || echo 'agent:x:1000:' >>"$root/etc/group"
grep -q '^agent:' "$root/etc/passwd" || echo 'agent:x:1000:1000:agent-runner:/home/agent:/bin/sh' >>"$root/etc/passwd"
if [ -f "$root/etc/shadow" ] && ! grep -q '^agent:' "$root/etc/shadow"; then echo 'agent:!:20000::::::' >>"$root/etc/shadow"; fi
mkdir -p "$root/home/agent" "$root/data/work" "$root/data/state"
chown -R 1000:1000 "$root/home/agent" "$root/data"
chmod 0700 "$root/home/agent"
