// Defenses of layer 2, serve: the restart loop, its waits and its stop.
import { inLayer } from './defense.js';

export const SERVE_DEFENSES = inLayer('serve', [
  {
    name: 'serve_sigkill_anywhere',
    prevents: 'a round lost, doubled or misnumbered, or a process of an earlier round surviving, when serve is SIGKILLed at any point',
    invariant: 'across 30+ rounds with serve SIGKILLed at random points: ledger 1..N each once, every started round recorded, nothing of an earlier round alive when the next serve starts its first round',
    test: { file: 'test/faults/kill.test.ts', name: 'SIGKILL of serve at random points across 30 rounds: every round in the ledger once, no survivor of an earlier round' },
  },
  {
    name: 'agent_sigkill_is_crash',
    prevents: 'an agent killed from outside leaving children behind or stopping the loop',
    invariant: 'the round is recorded failed/crash with SIGKILL, its children are swept, serve runs the next round',
    test: { file: 'test/faults/kill.test.ts', name: 'SIGKILL of the agent itself under serve: the round is a crash, its children are swept, serve goes on' },
  },
  {
    name: 'graceful_stop',
    prevents: 'a stop that kills a round mid-write',
    invariant: 'SIGTERM to serve lets the current round finish and be recorded, then exits 0',
    test: { file: 'test/integration/serve.test.ts', name: 'SIGTERM mid-round: serve exits 0 after the round is in the ledger' },
  },
  {
    name: 'crash_loop_breaker',
    prevents: 'an agent that fails at once being restarted forever',
    invariant: 'N consecutive quick agent failures stop the loop with a crash_loop event and a non-zero exit',
    test: { file: 'test/integration/serve.test.ts', name: 'an agent that always fails fast trips the breaker with growing delays' },
  },
  {
    name: 'no_progress_breaker',
    prevents: 'an agent that has nothing left to do, or no grip on it, spending a round\'s cost every restart while changing nothing',
    invariant: 'an ok round with no commit and the tree as its start commit has it is no_progress; no_progress_rounds of them since the last progress pause serve (or stop it); a round with progress resets the count',
    test: { file: 'test/integration/progress-breakers.test.ts', name: 'rounds record what they changed; three rounds without progress pause serve, a round with progress resets the breaker' },
  },
  {
    name: 'same_error_loop',
    prevents: 'the same failure, with other numbers, ids or paths in it, restarted round after round, slow enough that the crash-loop breaker never sees it',
    invariant: 'same_error_rounds agent failures in a row with one signature (category + reason with numbers, ids and paths out) stop serve, naming the signature and the rounds, and notify a person',
    test: { file: 'test/integration/progress-breakers.test.ts', name: 'the same failure with other numbers, ids and paths each round stops serve as a same-error loop, and a person is notified' },
  },
  {
    name: 'completion_check',
    prevents: 'a loop that goes on spending after the work is done, or ends on an agent\'s claim that the tests refute',
    invariant: 'the [completion] command runs after each round in the work tree with a timeout; its exit 0 ends serve completed; with require_sentinel a failing check removes DONE and the loop goes on',
    test: { file: 'test/integration/completion-command.test.ts', name: 'a passing completion command ends serve completed; before it passes, the loop goes on' },
  },
  {
    name: 'interruptible_waits',
    prevents: 'a stop that waits out a 30-minute back-off',
    invariant: 'every wait ends at once on stop; a back-off runs on the monotonic clock, a wait for a reset time on the wall clock (re-read)',
    test: { file: 'test/integration/serve.test.ts', name: 'a stop during a long back-off takes effect at once, not when the back-off ends' },
  },
  {
    name: 'monotonic_backoff',
    prevents: 'a back-off of seconds stretched to an hour by a step back of the clock; a crashing agent\'s own rounds taken for history (breaker and back-off reset) because a step made them look older than the session',
    invariant: 'back-off delays are monotonic sleeps and the session is told by round number: each wait lasts its delay and the delays keep doubling across steps of ±hours',
    test: { file: 'test/faults/clock.test.ts', name: 'clock −1h during a back-off, +2h during the next: each wait lasts its delay, and the back-off still grows' },
  },
  {
    name: 'reset_wait_rereads_clock',
    prevents: 'a usage-limit wait sleeping on long after its reset time because the wall clock stepped forward (or the host resumed from suspend)',
    invariant: 'a wait until a reset time re-reads the wall clock every SLICE_MS (10 s) and is bounded by 7 days of real time: a step past the reset wakes serve within one slice',
    test: { file: 'test/faults/clock.test.ts', name: 'usage-limit wait for a reset an hour away, clock +2h past it: serve wakes within one SLICE_MS and resumes' },
  },
  {
    name: 'config_leash',
    prevents: 'an agent loosening its own limits by editing the config',
    invariant: 'serve keeps the config it validated at start; a change is reported and applies only through restart',
    test: { file: 'test/integration/serve.test.ts', name: 'a config edited mid-run is reported and not applied' },
  },
  {
    name: 'usage_limit_wait',
    prevents: 'restarting into a usage limit again and again until it resets',
    invariant: 'a usage limit with a reset time makes serve wait (interruptibly, on the wall clock) until the reset plus a little jitter; it never counts toward the breaker',
    test: { file: 'test/integration/agent-stream.test.ts', name: 'usage limit: serve waits until the reset (status says so) and then runs the next round' },
  },
  {
    name: 'provider_failover',
    prevents: "one account's usage limit stopping the project for hours while another account of the pool could run",
    invariant: 'with [agent] providers, a usage limit marks its provider limited until the reset and the next round runs at once on the next provider not limited or failed; serve waits only when every provider is limited, until the earliest reset',
    test: { file: 'test/integration/provider-pool.test.ts', name: 'pool: the first provider hits its usage limit; the next round runs on the second at once, and commits' },
  },
  {
    name: 'shared_provider_state',
    prevents: 'a second project on the same account burning a round to learn that the account is limited or its key refused',
    invariant: "every supervisor of the user on the host reads the host-wide provider state before each round and updates it after each (under its lock, whole writes): a provider another project found limited or failed is skipped",
    test: { file: 'test/integration/provider-pool.test.ts', name: 'pool: two supervisors share the limit of one provider: the second never runs a round on it' },
  },
  {
    name: 'provider_preflight',
    prevents: 'rounds spent on a provider whose key the provider refuses',
    invariant: "at serve's start each provider of the pool is asked once, with a request that costs no tokens, whether it takes its key; a refusal (401/403) fails it before any round",
    test: { file: 'test/integration/provider-pool.test.ts', name: 'pool: the preflight fails a provider whose key is refused before any round is spent on it; doctor says which' },
  },
  {
    name: 'auth_stop',
    prevents: 'a loop of rounds that cannot log in, each one wasted',
    invariant: "with stop_on_auth (default), the first auth failure stops serve (exit 3, halted) with an auth_stop event and the CLI's login hint",
    test: { file: 'test/integration/agent-stream.test.ts', name: 'auth failure: serve stops at once with the Claude Code hint (stderr and the auth_stop event)' },
  },
  {
    name: 'single_serve',
    prevents: 'two loops driving one project',
    invariant: 'a second serve refuses, naming the running pid',
    test: { file: 'test/integration/serve.test.ts', name: 'start, status, stop, restart without systemd; a second serve is refused' },
  },
  {
    name: 'disk_full_pause',
    prevents: 'a loop that keeps starting rounds on a full disk, each one losing its log and its record',
    invariant: 'below runtime.min_free_mb (or after an ENOSPC/EDQUOT state write) serve starts no round, says so in one stderr line, waits, and resumes by itself once there is room; stop still works',
    test: { file: 'test/faults/disk-full.test.ts', name: 'disk below min_free_mb between rounds: serve pauses with one clear line, records stay intact, rounds resume when the ballast goes' },
  },
  {
    name: 'heartbeat_probes',
    prevents: "a container's liveness probe restarting a serve that is only waiting (a usage limit turned into a crash loop), or never restarting one that is stuck",
    invariant: 'serve touches <state_dir>/heartbeat every 10 s from its event loop; `probe live` fails only when that serve is gone or has not beaten for --max-age; a usage-limit wait is live and not ready',
    test: { file: 'test/integration/probe.test.ts', name: 'probe: a round running is live and ready; a stuck serve (SIGSTOP) is not live until it runs again; a killed one is not live' },
  },
  {
    name: 'backup_never_blocks',
    prevents: 'a round\'s work lost with the machine, or serve held up by a backup remote that hangs or refuses',
    invariant: 'with [vcs] backup_remote the round refs are pushed in the background, the push\'s process group ended at backup_timeout_s; a failure is in peek and one event, never a stop',
    test: { file: 'test/integration/backup.test.ts', name: 'a remote that hangs: the rounds go on while the push waits; at backup_timeout_s its process group is ended and the failure recorded' },
  },
  {
    name: 'serve_deadline',
    prevents: 'an unattended loop running (and spending) past the moment or the span it was given',
    invariant: 'until / max_runtime end serve between rounds with their own event and reason, a wait ending at the deadline; the round in flight finishes first',
    test: { file: 'test/integration/deadline.test.ts', name: '--max-runtime: the back-off wait ends at the deadline and serve stops with its own reason and event' },
  },
]);
