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
    name: 'state_repair',
    layer: 'state',
    prevents: 'torn or garbage lines in rounds.jsonl / events.jsonl and a corrupt status.json piling up unseen, or a garbage ledger line steering the round counter',
    invariant: 'round and serve repair the state files under the lock before recovery: bad lines saved to <file>.corrupt (0600), the file rewritten atomically with the good lines, a state_repaired event; nothing is lost',
    test: { file: 'test/faults/torn-state.test.ts', name: '`round` repairs torn / garbage rounds.jsonl and events.jsonl: bad lines kept in .corrupt, state_repaired reported' },
  },
  {
    name: 'corrupt_status_rewritten',
    layer: 'state',
    prevents: 'an empty, truncated or non-JSON status.json surviving serve\'s start',
    invariant: 'serve moves it to status.json.corrupt, reports state_repaired and writes a fresh one',
    test: { file: 'test/faults/torn-state.test.ts', name: 'serve on a truncated status.json: moved aside to status.json.corrupt, reported, rewritten' },
  },
  {
    name: 'readers_survive_corrupt_state',
    layer: 'state',
    prevents: 'status, peek, events, watch or monitor crashing (or printing a stack) on a torn or corrupt state file',
    invariant: 'each reader exits 0 on every corrupt file and changes nothing (it holds no lock); ledger lines without n / outcome / start / end are not rounds',
    test: { file: 'test/faults/torn-state.test.ts', name: 'readers (status, peek, events, watch, monitor) on each torn or corrupt state file: exit 0, no stack trace, file untouched' },
  },
  {
    name: 'torn_open_marker_swept',
    layer: 'state',
    prevents: 'the tree of a dead supervisor\'s round surviving when its round.open.json is torn (its tag unreadable)',
    invariant: 'the next start sweeps every live process whose AGENT_RUNNER_STATE_DIR is this state dir, saves the marker to .corrupt and reports state_repaired',
    test: { file: 'test/faults/torn-state.test.ts', name: 'torn round.open.json left by a killed round: the next round sweeps the leftover tree by the state dir, saves the marker, goes on' },
  },
  {
    name: 'serve_sigkill_anywhere',
    layer: 'serve',
    prevents: 'a round lost, doubled or misnumbered, or a process of an earlier round surviving, when serve is SIGKILLed at any point',
    invariant: 'across 30+ rounds with serve SIGKILLed at random points: ledger 1..N each once, every started round recorded, nothing of an earlier round alive when the next serve starts its first round',
    test: { file: 'test/faults/kill.test.ts', name: 'SIGKILL of serve at random points across 30 rounds: every round in the ledger once, no survivor of an earlier round' },
  },
  {
    name: 'round_sigkill_recovered',
    layer: 'state',
    prevents: 'a foreground `round` killed with SIGKILL leaving its agent running and its round unrecorded',
    invariant: 'the next round takes over the lock, records the round aborted and ends its tree',
    test: { file: 'test/faults/kill.test.ts', name: 'SIGKILL of a foreground `round` mid-round: the next round records it aborted and ends its tree' },
  },
  {
    name: 'agent_sigkill_is_crash',
    layer: 'serve',
    prevents: 'an agent killed from outside leaving children behind or stopping the loop',
    invariant: 'the round is recorded failed/crash with SIGKILL, its children are swept, serve runs the next round',
    test: { file: 'test/faults/kill.test.ts', name: 'SIGKILL of the agent itself under serve: the round is a crash, its children are swept, serve goes on' },
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
    invariant: 'every wait ends at once on stop; a back-off runs on the monotonic clock, a wait for a reset time on the wall clock (re-read)',
    test: { file: 'test/integration/serve.test.ts', name: 'a stop during a long back-off takes effect within a second' },
  },
  {
    name: 'monotonic_hang_guards',
    layer: 'round',
    prevents: 'a step of the wall clock (NTP, `date -s`, a resumed VM) ending a healthy round as stalled or past its result grace, or bending its duration_s',
    invariant: 'the round timeout, the stall and result-grace guards and duration_s run on the monotonic clock: steps of +2h and +4h mid-round end nothing early, and duration_s is the real elapsed time',
    test: { file: 'test/faults/clock.test.ts', name: 'clock +2h (and +4h) during a round with stall_timeout_s and result_grace_s: not ended as stalled, duration_s is real' },
  },
  {
    name: 'monotonic_kill_grace',
    layer: 'round',
    prevents: 'a step back of the wall clock during the kill grace leaving an agent that ignores TERM running for hours (or a step forward skipping the grace)',
    invariant: 'the kill grace and the KILL phase are measured on the monotonic clock: with steps of −1h and −2h the round still ends at timeout + grace, duration_s ≥ 0',
    test: { file: 'test/faults/clock.test.ts', name: 'clock −1h during a round, −2h during its kill grace: still ends at its timeout, duration_s not negative' },
  },
  {
    name: 'monotonic_backoff',
    layer: 'serve',
    prevents: 'a back-off of seconds stretched to an hour by a step back of the clock; a crashing agent\'s own rounds taken for history (breaker and back-off reset) because a step made them look older than the session',
    invariant: 'back-off delays are monotonic sleeps and the session is told by round number: each wait lasts its delay and the delays keep doubling across steps of ±hours',
    test: { file: 'test/faults/clock.test.ts', name: 'clock −1h during a back-off, +2h during the next: each wait lasts its delay, and the back-off still grows' },
  },
  {
    name: 'reset_wait_rereads_clock',
    layer: 'serve',
    prevents: 'a usage-limit wait sleeping on long after its reset time because the wall clock stepped forward (or the host resumed from suspend)',
    invariant: 'a wait until a reset time re-reads the wall clock every SLICE_MS (10 s) and is bounded by 7 days of real time: a step past the reset wakes serve within one slice',
    test: { file: 'test/faults/clock.test.ts', name: 'usage-limit wait for a reset an hour away, clock +2h past it: serve wakes within one SLICE_MS and resumes' },
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
  {
    name: 'disk_full_pause',
    layer: 'serve',
    prevents: 'a loop that keeps starting rounds on a full disk, each one losing its log and its record',
    invariant: 'below runtime.min_free_mb (or after an ENOSPC/EDQUOT state write) serve starts no round, says so in one stderr line, waits, and resumes by itself once there is room; stop still works',
    test: { file: 'test/faults/disk-full.test.ts', name: 'disk below min_free_mb between rounds: serve pauses with one clear line, records stay intact, rounds resume when the ballast goes' },
  },
  {
    name: 'disk_full_record_held',
    layer: 'round',
    prevents: "a round's record lost, or its agent blocked, when the disk fills during the round",
    invariant: 'output the log cannot take is dropped and counted in the reason while the pipes keep draining; a ledger line that does not fit is kept in memory and written once there is room',
    test: { file: 'test/faults/disk-full.test.ts', name: 'the disk fills mid-round: output dropped and counted, the agent never blocks, its record is held and written once space is back' },
  },
  {
    name: 'disk_full_marker',
    layer: 'state',
    prevents: 'a round number lost or used twice when serve stops before a held-back record could be written',
    invariant: 'the open-round marker survives a full disk; the next start records that round aborted',
    test: { file: 'test/faults/disk-full.test.ts', name: 'stop while serve waits for space: it exits at once, the open-round marker survives, the next round records it aborted' },
  },
  {
    name: 'no_partial_state_write',
    layer: 'state',
    prevents: 'a torn ledger or events line, or a leftover temp file, from a write that ran out of space',
    invariant: 'a failed JSONL append is truncated back to the previous size; a failed atomic write removes its temp file',
    test: { file: 'test/faults/disk-full.test.ts', name: 'a state write that runs out of space leaves no partial line and no temp file' },
  },
  {
    name: 'disk_space_preflight',
    layer: 'round',
    prevents: 'a foreground round started on a disk too full to keep its log and record',
    invariant: 'below runtime.min_free_mb `round` records preflight_failed (disk_space) with one line, exits 75 (wait, not 78) and never starts the agent',
    test: { file: 'test/faults/disk-full.test.ts', name: 'a foreground round below min_free_mb fails its disk_space preflight with one line (exit 75, not 78), and the agent never starts' },
  },
  {
    name: 'disk_full_at_start',
    layer: 'state',
    prevents: 'serve or round started on a full disk dying with "unexpected error", or leaving an empty lock file behind',
    invariant: 'a write refused for want of space is one `disk full` line and exit 75; the lock is linked into place whole, so a failed write leaves none',
    test: { file: 'test/faults/disk-full.test.ts', name: 'serve on a disk already full to the last byte: one line, exit 75, no lock left behind; it starts once there is room' },
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
