#!/usr/bin/env bash
# One entry point for every job: ./build.sh <build|test|deps|check|demo|bench|docs> [args]
set -euo pipefail
cd "$(dirname "$0")"

install() {
  # npm ci only when the lock changed since the last install (keeps repeated runs fast)
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-fund --no-audit --loglevel=error
  fi
}

# opencode (opencode-ai) and Kilo Code CLI (@kilocode/cli, an opencode fork) are pinned here, not in package.json:
# each lists a binary package for every platform as an optional dependency, and a registry that serves only this
# platform's leaves the lock file without the others, which `npm ci` refuses. They go to .clis/ (the real-CLI
# tests' binPath), and their postinstalls, which link the platform's binary into place, are run by hand (npm 11
# holds install scripts back). Kilo is pinned at 7.7.7: the registry here has no linux binary package for 7.8.x.
OPENCODE_VERSION=1.18.33
KILO_VERSION=7.7.7
install_opencode() {
  local bin=.clis/node_modules/opencode-ai/bin/opencode.exe
  local want="opencode-ai@$OPENCODE_VERSION @kilocode/cli@$KILO_VERSION"
  if [ -x "$bin" ] && [ -x .clis/node_modules/.bin/kilo ] && [ "$(cat .clis/version 2>/dev/null)" = "$want" ]; then return; fi
  rm -rf .clis && mkdir -p .clis
  echo '{"private": true}' > .clis/package.json
  (cd .clis && npm install --no-fund --no-audit --loglevel=error --ignore-scripts "opencode-ai@$OPENCODE_VERSION" "@kilocode/cli@$KILO_VERSION" &&
    (cd node_modules/opencode-ai && node postinstall.mjs >/dev/null) &&
    (cd node_modules/@kilocode/cli && node postinstall.mjs >/dev/null))
  echo "$want" > .clis/version
}

# What the test suite needs beyond Node, npm and git: one list, also run by CI (.ci/run).
# As root it installs what is missing with apt-get; otherwise it stops at once, naming the packages and
# the one command that installs them (never a silent skip: a test without its tool would fail late).
deps() {
  local need=()
  command -v git >/dev/null || need+=(git)
  command -v setsid >/dev/null || need+=(util-linux)
  command -v nsenter >/dev/null || need+=(util-linux)
  command -v pgrep >/dev/null || need+=(procps)
  # the remote monitor test runs a real sshd on 127.0.0.1 (test/integration/monitor-remote.test.ts)
  [ -x /usr/sbin/sshd ] || need+=(openssh-server)
  command -v ssh >/dev/null || need+=(openssh-client)
  # the systemd tests boot Debian's systemd in a private namespace (test/helpers/systemd-sandbox.ts); logind needs dbus
  [ -x /lib/systemd/systemd ] || need+=(systemd)
  command -v dbus-daemon >/dev/null || need+=(dbus)
  command -v tmux >/dev/null || need+=(tmux) # watch's and the progress line's terminal tests
  command -v zsh >/dev/null || need+=(zsh)   # the zsh completion test (test/integration/completion.test.ts)
  # the dashboard tests drive Debian's Chromium, headless, through playwright-core (test/helpers/browser.ts)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  # the real agent CLIs run in a network namespace with loopback only: `ip link set lo up` (test/model-server/netns.ts)
  command -v ip >/dev/null || need+=(iproute2)
  # the clock-jump faults move the wall clock of serve alone with libfaketime (test/faults/clock.test.ts)
  ls /usr/lib/*/faketime/libfaketime.so.1 >/dev/null 2>&1 || need+=(faketime)
  # promtool checks the metrics' exposition and the example alert rules (test/unit/metrics.test.ts)
  command -v promtool >/dev/null || need+=(prometheus)
  # the container tests build the image from Debian packages and run it rootful (test/integration/container.test.ts)
  command -v podman >/dev/null || need+=(podman)
  command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
  # kubectl renders and checks the Kubernetes manifests offline (test/integration/kube-manifests.test.ts)
  command -v kubectl >/dev/null || need+=(kubernetes-client)
  if [ ${#need[@]} -gt 0 ]; then
    mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
      echo "build.sh: the tests need ${need[*]}; install with: sudo apt-get install -y ${need[*]}" >&2
      exit 1
    fi
    echo "build.sh: installing what the tests need: ${need[*]}" >&2
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
  fi
  install_opencode # the real-opencode and real-kilo tests' CLIs (the demo and the build do not need them)
}

build() {
  install
  # everything but the bench's generated repos (minutes to make, see bench/cases/big-repo.ts)
  if [ -d build ]; then find build -mindepth 1 -maxdepth 1 ! -name bench-cache -exec rm -rf {} +; fi
  npx --no-install tsc -p tsconfig.json
  # the faster-starting CLI bin/agent-runner.js prefers (a no-op without esbuild)
  node build/src/tools/bundle.js
}

cmd=${1:-help}
shift || true
case "$cmd" in
  build) build ;;
  check)
    build
    node build/src/tools/gen-docs.js --check
    ;;
  deps) deps ;;
  test)
    deps
    build
    node build/src/tools/gen-docs.js --check
    files=("$@")
    if [ ${#files[@]} -eq 0 ]; then
      mapfile -t files < <(find build/test -name '*.test.js' | sort)
    fi
    # Node 20 holds each test file to this timeout as a whole: the real-CLI files of the slow starters (kilo: half a
    # minute to start on a busy machine, then their own minute of back-offs per fault) take 4-7 minutes
    node --test --test-timeout=600000 --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=./test/helpers/summary-reporter.mjs --test-reporter-destination=stdout \
      "${files[@]}"
    ;;
  demo)
    build
    bash templates/demo/run-demo.sh
    ;;
  docs) build; node build/src/tools/gen-docs.js --write ;;
  bench) build; node build/bench/run.js "$@" ;;
  *)
    echo "usage: ./build.sh build|test|deps|check|demo|docs|bench" >&2
    exit 2
    ;;
esac
