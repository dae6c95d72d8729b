// Every defense as data: the failure it prevents, the invariant it keeps, and the test that guards it.
// docs/defenses.md is generated from this table (./build.sh docs), and a test fails when it is stale or
// when a named test does not exist.

export interface Defense {
  name: string;
  layer: 'round' | 'serve' | 'state' | 'config';
  prevents: string;
  invariant: string;
  /** test file (relative to the repo) and the exact name of the test in it */
  test: { file: string; name: string };
}

export const DEFENSES: Defense[] = [
  {
    name: 'hard_timeout',
    layer: 'round',
    prevents: 'a round that never ends (a hung agent, a stuck tool, a CLI that hangs after its result)',
    invariant: 'a round ends within round_timeout_s + kill_grace_s plus a sweep, whatever the agent prints',
    test: { file: 'test/integration/round.test.ts', name: 'hanging agent with a setsid grandchild: ended within timeout + grace + 1s, nothing survives' },
  },
  {
    name: 'tree_kill',
    layer: 'round',
    prevents: 'processes that outlive their round: background jobs, setsid or double-forked grandchildren',
    invariant: 'after a round, no process carrying its round tag or in its process group is alive',
    test: { file: 'test/integration/round.test.ts', name: 'hanging agent with a setsid grandchild: ended within timeout + grace + 1s, nothing survives' },
  },
  {
    name: 'kill_grace',
    layer: 'round',
    prevents: 'an agent that ignores SIGTERM running on',
    invariant: 'TERM first, then KILL after kill_grace_s',
    test: { file: 'test/integration/round.test.ts', name: 'an agent that ignores SIGTERM is killed after the grace' },
  },
  {
    name: 'round_signal_trap',
    layer: 'round',
    prevents: 'an agent left running unsupervised when `round` itself is told to stop',
    invariant: 'SIGTERM or SIGINT to `round` ends the agent tree and records the round cancelled',
    test: { file: 'test/integration/round.test.ts', name: 'SIGTERM to round mid-agent: the tree is gone and the round is recorded cancelled' },
  },
  {
    name: 'orphan_stash_by_sha',
    layer: 'round',
    prevents: 'uncommitted work lost between rounds, or a stash index that points at another tool\'s stash',
    invariant: 'orphan work is stashed after a clean exit and recorded by SHA only; the user\'s config is never swept in',
    test: { file: 'test/integration/round.test.ts', name: 'clean exit with a dirty tree: stashed by SHA, config edit not swept' },
  },
  {
    name: 'round_lock',
    layer: 'state',
    prevents: 'two runners driving one work tree at once',
    invariant: 'one round or serve per project; a second fails at once naming the holder; a dead holder\'s lock is recovered',
    test: { file: 'test/integration/round.test.ts', name: 'two concurrent rounds: the second fails fast naming the holder' },
  },
  {
    name: 'streamed_log',
    layer: 'round',
    prevents: 'a flooding agent exhausting the supervisor\'s memory or losing output',
    invariant: 'agent output is streamed to rounds/<n>.log with backpressure, never held in memory',
    test: { file: 'test/integration/round.test.ts', name: 'an agent writing 200 MB: the log holds every byte and memory stays flat' },
  },
  {
    name: 'preflight',
    layer: 'round',
    prevents: 'paying for an agent run that cannot succeed (missing binary, no prompt, not a git tree)',
    invariant: 'a failed check records preflight_failed, exits 78, and the agent is never started',
    test: { file: 'test/integration/round.test.ts', name: 'preflight: a missing agent binary is named, recorded, exit 78, nothing started' },
  },
  {
    name: 'strict_config',
    layer: 'config',
    prevents: 'a typo silently ignored, or a stack trace instead of an answer',
    invariant: 'every bad config gives one line naming the key and the fix, and exit 78',
    test: { file: 'test/integration/cli.test.ts', name: 'each kind of bad config: one line, exit 78' },
  },
  {
    name: 'ledger_every_round',
    layer: 'state',
    prevents: 'a round lost from the record when the supervisor dies mid-round',
    invariant: 'round.open.json is written before the spawn; the next start records the open round aborted and reaps its tree',
    test: { file: 'test/integration/serve.test.ts', name: 'SIGKILL serve mid-round, then serve again: aborted, reaped, numbering continues' },
  },
  {
    name: 'atomic_state',
    layer: 'state',
    prevents: 'a half-written status file or a torn ledger line breaking readers',
    invariant: 'status files are replaced atomically; JSONL is append-only and readers skip a torn line',
    test: { file: 'test/unit/state.test.ts', name: 'a torn last line is skipped and the next append starts on a new line' },
  },
  {
    name: 'graceful_stop',
    layer: 'serve',
    prevents: 'a stop that kills a round mid-write',
    invariant: 'SIGTERM to serve lets the current round finish and be recorded, then exits 0',
    test: { file: 'test/integration/serve.test.ts', name: 'SIGTERM mid-round: serve exits 0 after the round is in the ledger' },
  },
  {
    name: 'crash_loop_breaker',
    layer: 'serve',
    prevents: 'an agent that fails at once being restarted forever',
    invariant: 'N consecutive quick agent failures stop the loop with a crash_loop event and a non-zero exit',
    test: { file: 'test/integration/serve.test.ts', name: 'an agent that always fails fast trips the breaker with growing delays' },
  },
  {
    name: 'interruptible_waits',
    layer: 'serve',
    prevents: 'a stop that waits out a 30-minute back-off',
    invariant: 'every wait ends at once on stop, and re-reads the wall clock',
    test: { file: 'test/integration/serve.test.ts', name: 'a stop during a long back-off takes effect within a second' },
  },
  {
    name: 'config_leash',
    layer: 'serve',
    prevents: 'an agent loosening its own limits by editing the config',
    invariant: 'serve keeps the config it validated at start; a change is reported and applies only through restart',
    test: { file: 'test/integration/serve.test.ts', name: 'a config edited mid-run is reported and not applied' },
  },
  {
    name: 'stall_guard',
    layer: 'round',
    prevents: 'a silent, stuck agent holding a round (and its quota) until the wall-clock timeout',
    invariant: 'with stall_timeout_s > 0, a round with no output for that long is ended and recorded timeout (stall)',
    test: { file: 'test/integration/agent-stream.test.ts', name: 'a silent agent is ended by the stall guard: timeout / stall, well before the round timeout' },
  },
  {
    name: 'result_grace',
    layer: 'round',
    prevents: 'a headless CLI that printed its final result but never exits, holding the round until the timeout',
    invariant: 'result_grace_s after the final result (Claude result, Codex turn.completed) the tree is ended and the round recorded by that result',
    test: { file: 'test/integration/agent-stream.test.ts', name: 'a CLI that hangs after its result is ended by the grace: round ok, duration about the grace, nothing left' },
  },
  {
    name: 'stream_key_facts',
    layer: 'round',
    prevents: 'a usage limit or result that scrolled out of the log tail being missed by the verdict',
    invariant: "the stream parser's result and rejected rate-limit lines reach the classifier whatever the log's length",
    test: { file: 'test/integration/agent-stream.test.ts', name: 'a rejected rate_limit_event early in a long log still decides the verdict (usage_limit, reset time)' },
  },
  {
    name: 'usage_limit_wait',
    layer: 'serve',
    prevents: 'restarting into a usage limit again and again until it resets',
    invariant: 'a usage limit with a reset time makes serve wait (interruptibly, on the wall clock) until the reset plus a little jitter; it never counts toward the breaker',
    test: { file: 'test/integration/agent-stream.test.ts', name: 'usage limit: serve waits until the reset (status says so) and then runs the next round' },
  },
  {
    name: 'auth_stop',
    layer: 'serve',
    prevents: 'a loop of rounds that cannot log in, each one wasted',
    invariant: "with stop_on_auth (default), the first auth failure stops serve (exit 1) with an auth_stop event and the CLI's login hint",
    test: { file: 'test/integration/agent-stream.test.ts', name: 'auth failure: serve stops at once with the Claude Code hint (stderr and the auth_stop event)' },
  },
  {
    name: 'single_serve',
    layer: 'serve',
    prevents: 'two loops driving one project',
    invariant: 'a second serve refuses, naming the running pid',
    test: { file: 'test/integration/serve.test.ts', name: 'start, status, stop, restart without systemd; a second serve is refused' },
  },
];

export function renderDefensesDoc(): string {
  const rows = DEFENSES.map(
    (d) => `| \`${d.name}\` | ${d.layer} | ${d.prevents} | ${d.invariant} | \`${d.test.file}\`: “${d.test.name}” |`,
  );
  return [
    '# Defenses',
    '',
    'Generated from `src/defenses.ts` by `./build.sh docs`; a test fails when this file is stale.',
    '',
    '| defense | layer | prevents | invariant | guarded by |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
