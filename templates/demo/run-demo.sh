#!/usr/bin/env bash
# ./build.sh demo: a scratch git project, the demo agent, a few rounds under serve, and what they left.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
ar() { node "$root/bin/agent-runner.js" "$@"; }
demo=$(mktemp -d "${TMPDIR:-/tmp}/agent-runner-demo.XXXXXX")
export XDG_STATE_HOME="$demo/state"
cd "$demo"
mkdir project && cd project
git init -q -b main
git config user.email demo@example.invalid
git config user.name demo
echo "# demo project" > README.md
git add README.md && git commit -q -m "initial"

echo "== agent-runner init --preset demo (in $demo/project)"
ar init --preset demo
sed -i 's/^restart_delay_s = .*/restart_delay_s = 0/' agent-runner.toml || true
echo
echo "== agent-runner serve --max-rounds 3"
ar serve --max-rounds 3 || true
echo
echo "== one more round that leaves its work uncommitted (stashed by SHA)"
DEMO_DIRTY=1 ar round || true
echo
echo "== agent-runner status"
ar status
echo
echo "== the ledger (rounds.jsonl)"
state=$(ar status --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).state_dir))')
node -e '
  const fs = require("fs");
  for (const l of fs.readFileSync(process.argv[1], "utf8").trim().split("\n")) {
    const r = JSON.parse(l);
    console.log(`  round ${r.n}: ${r.outcome}, exit ${r.exit_code}, ${r.duration_s}s, commits ${r.commits.length}, stash ${r.stash_sha ?? "-"}`);
  }' "$state/rounds.jsonl"
echo
echo "== git log"
git log --oneline | sed 's/^/  /'
echo
echo "demo project: $demo/project   state: $state"
