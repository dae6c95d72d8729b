#!/usr/bin/env bash
# ./build.sh demo: agent-runner in under a minute, with the bundled demo agent (templates/demo/demo-agent.sh)
# in a scratch git project: a round that commits, a timeout that ends a whole process tree, a usage limit
# waited out to its reset, an auth failure that stops serve with its hint. docs/demo.md is its transcript
# (kept fresh by test/integration/demo.test.ts).
set -euo pipefail
exec 2>&1 # one stream, in order: agent-runner's messages between its summaries, as on a terminal
root=$(cd "$(dirname "$0")/../.." && pwd)
ar() { node "$root/bin/agent-runner.js" "$@"; }
demo=$(mktemp -d "${TMPDIR:-/tmp}/agent-runner-demo.XXXXXX")
export XDG_STATE_HOME="$demo/state"
caption() { printf '\n== %s\n' "$1"; shift; for l in "$@"; do printf '   %s\n' "$l"; done; }
cd "$demo"
mkdir project && cd project
git init -q -b main
git config user.email demo@example.invalid
git config user.name demo
echo "# demo project" > README.md
git add README.md && git commit -q -m "initial"

caption "agent-runner init --preset demo" \
  "A config and a prompt for the demo agent, committed. The demo keeps rounds short:" \
  "round_timeout_s = 3, kill_grace_s = 1, restart_delay_s = 0."
ar init --preset demo
sed -i -e '/^\[runtime\]/,/^\[prompt\]/ { s/^# round_timeout_s = .*/round_timeout_s = 3/; s/^# kill_grace_s = .*/kill_grace_s = 1/;' \
  -e 's/^# restart_delay_s = .*/restart_delay_s = 0/; }' agent-runner.toml
git commit -q -am "demo: short rounds"

caption "1. Rounds that commit: agent-runner serve --max-rounds 2" \
  "serve runs the agent round after round. Each round reads the prompt, edits NOTES.md and commits;" \
  "serve prints one summary line per round (on a terminal, also a live progress line)."
ar serve --max-rounds 2
git log --oneline | sed 's/^/   /'

caption "2. A timeout ends the whole process tree: DEMO_MODE=hang agent-runner round" \
  "The agent starts three helpers (one escapes into its own session with setsid) and never ends." \
  "At round_timeout_s its process group gets SIGTERM, then SIGKILL after kill_grace_s; the sweep" \
  "finds the escaped one by the round's tag in its environment. No process outlives its round."
DEMO_MODE=hang ar round || echo "   (round exited $?)"
# every process of a round carries the state dir in its environment: count those still alive
left=$(grep -lsz "^AGENT_RUNNER_STATE_DIR=$XDG_STATE_HOME/" /proc/[0-9]*/environ | wc -l || true)
echo "   processes of the round still running: $left"

caption "3. A usage limit is waited out: DEMO_MODE=usage-limit agent-runner serve --max-rounds 2" \
  "The agent reports a usage limit that resets in 5 s. serve does not retry into it: it waits until" \
  "the reset (plus a jitter of at most a tenth of the wait), then resumes, and the round succeeds."
DEMO_MODE=usage-limit DEMO_RESET_S=5 ar serve --max-rounds 2
node -e '
  const fs = require("fs");
  const recs = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const [limited, next] = recs.slice(-2);
  const late = (Date.parse(next.start) - Date.parse(limited.retry_after)) / 1000;
  console.log(`   the limit reset at ${limited.retry_after.slice(11, 19)} UTC; the next round started ${late.toFixed(1)}s after it`);
' "$(ar status --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).state_dir))')/rounds.jsonl"

caption "4. An auth failure stops serve, with the login hint: DEMO_MODE=auth agent-runner serve" \
  "The agent cannot log in. Restarting would only burn rounds: serve stops at once (exit 3: halted," \
  "waiting for you) and says what to do, also in the auth_stop event and in status."
DEMO_MODE=auth ar serve || echo "   (serve exited $?)"

caption "agent-runner status"
ar status

echo
echo "demo project: $demo/project"
