#!/usr/bin/env bash
# One entry point for every job: ./build.sh <build|test|check|demo|bench|docs> [args]
set -euo pipefail
cd "$(dirname "$0")"

install() {
  # npm ci only when the lock changed since the last install (keeps repeated runs fast)
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-fund --no-audit --loglevel=error
  fi
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
  test)
    build
    node build/src/tools/gen-docs.js --check
    files=("$@")
    if [ ${#files[@]} -eq 0 ]; then
      mapfile -t files < <(find build/test -name '*.test.js' | sort)
    fi
    node --test --test-timeout=300000 --test-reporter=spec --test-reporter-destination=stdout \
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
    echo "usage: ./build.sh build|test|check|demo|docs|bench" >&2
    exit 2
    ;;
esac
