// [runtime]: how each round runs (timeouts, guards, the state and work dirs).
import { section, SECONDS_MAX_DAY, SECONDS_MAX_WEEK, type KeySpec } from './spec.js';

const ROUND_TIMEOUT_TYPE = { kind: 'number', min: 1, max: SECONDS_MAX_WEEK, integer: false, unit: 's' } as const;
interface RoundTimeoutKey {
  readonly key: 'round_timeout_s';
  readonly type: typeof ROUND_TIMEOUT_TYPE;
  readonly doc: string;
}

/** `round_timeout_s`: in [runtime] with its default; in [[phases]] without one (then the runtime's applies). */
export function roundTimeout(doc: string): RoundTimeoutKey & { readonly defaultText: string; readonly example: number };
export function roundTimeout(doc: string, dflt: number): RoundTimeoutKey & { readonly default: number };
export function roundTimeout(doc: string, dflt?: number): KeySpec {
  return {
    key: 'round_timeout_s',
    type: ROUND_TIMEOUT_TYPE,
    ...(dflt === undefined ? { defaultText: 'runtime.round_timeout_s', example: 3600 } : { default: dflt }),
    doc,
  };
}

export const RUNTIME = section({
  name: 'runtime',
  kind: 'table',
  doc: 'How each round runs.',
  keys: [
    roundTimeout('Hard limit of one round, in seconds: then the whole process group gets SIGTERM, and SIGKILL after kill_grace_s.', 1800),
    {
      key: 'kill_grace_s',
      type: { kind: 'number', min: 0, max: 600, integer: false, unit: 's' },
      default: 5,
      doc: 'Seconds between SIGTERM and SIGKILL when a round is stopped.',
    },
    {
      key: 'stall_timeout_s',
      type: { kind: 'number', min: 0, max: SECONDS_MAX_DAY, integer: false, unit: 's' },
      default: 0,
      doc: 'End a round whose agent has printed nothing (stdout or stderr) for this many seconds; it is recorded timeout (stall). 0 turns the silence guard off.',
    },
    {
      key: 'result_grace_s',
      type: { kind: 'number', min: 0, max: SECONDS_MAX_DAY, integer: false, unit: 's' },
      default: 30,
      doc: "Seconds the agent may take to exit after printing its final result (Claude Code's result line, Codex's turn.completed); then its tree is ended and the round recorded by that result (ok unless it was an error). 0 turns the guard off.",
    },
    {
      key: 'restart_delay_s',
      type: { kind: 'number', min: 0, max: SECONDS_MAX_DAY, integer: false, unit: 's' },
      default: 5,
      doc: 'Pause between two rounds, in seconds.',
    },
    {
      key: 'min_free_mb',
      type: { kind: 'number', min: 0, max: 1048576, integer: true, unit: 'MB' },
      default: 50,
      doc: 'Free space (MiB) the state dir and the work dir must have before a round starts. Below it serve starts no round: it says so once, waits, and resumes by itself when there is room again; a foreground round fails its disk_space preflight. 0 turns the check off (a write that fails with ENOSPC still pauses serve).',
    },
    {
      key: 'containment',
      type: { kind: 'enum', values: ['auto', 'systemd-scope', 'cgroup', 'sweep'] },
      default: 'auto',
      doc: 'What holds each round\'s processes, so that none outlives it. `systemd-scope`: `systemd-run --user --scope` (a systemd user manager must answer); `cgroup`: a cgroup v2 of its own under ours, ended with `cgroup.kill` (needs a cgroup we may write, e.g. root or a delegated subtree); `sweep`: the process scan alone (group, session, descendants, the round\'s tag), which a process that scrubs its environment and double-forks can escape. `auto` takes the first of these that works here; where none does, the sweep (doctor and peek say which is active).',
    },
    {
      key: 'memory_max_mb',
      type: { kind: 'number', min: 1, max: 16777216, integer: true, unit: 'MB' },
      defaultText: 'unset: no limit',
      example: 4096,
      doc: 'Memory limit of one round (all its processes), in MiB: beyond it the kernel\'s OOM killer ends one of them, and the round is recorded failed (oom). Needs cgroup containment with a memory controller; unset: no limit (the round\'s peak is recorded either way).',
    },
    {
      key: 'pids_max',
      type: { kind: 'number', min: 1, max: 4194304, integer: true },
      defaultText: 'unset: no limit',
      example: 512,
      doc: 'Most processes and threads one round may have at once (a fork beyond it fails). Needs cgroup containment with a pids controller; unset: no limit.',
    },
    {
      key: 'cpu_weight',
      type: { kind: 'number', min: 1, max: 10000, integer: true },
      defaultText: 'unset: the default share',
      example: 50,
      doc: 'CPU weight of one round against its sibling cgroups (100 is the default share, lower yields to the rest of the machine). Needs cgroup containment with a cpu controller; unset: the default.',
    },
    {
      key: 'keep_failed_tmp',
      type: { kind: 'number', min: 0, max: 1, integer: true },
      default: 0,
      doc: "Each round gets a private temp dir (0700; TMPDIR, TMP and TEMP of the agent and its children), under $XDG_RUNTIME_DIR/agent-runner/<project>-<8 hex> or else the state dir's tmp/, and it is removed when the round ends. 1 keeps the last failed round's (outcome other than ok and cancelled) for debugging until another failed round replaces it; `peek` names where it is.",
    },
    {
      key: 'state_dir',
      type: { kind: 'string', path: true },
      defaultText: '$XDG_STATE_HOME/agent-runner/<project>-<8 hex of sha256 of the work dir\'s real path> ($XDG_STATE_HOME defaults to ~/.local/state)',
      example: '/var/lib/agent-runner/myproject',
      doc: 'Where the ledger, events, status and round logs go. The default is outside the work tree and distinct for two projects of the same name. It must be agent-runner\'s own: a new dir (made 0700 and marked `.agent-runner-state`), an empty one (adopted, its mode kept) or one it made before; any other non-empty dir, `/`, the home, the work tree, a system dir (`/tmp`, `/etc` …) or a mount point is refused (exit 78).',
    },
    {
      key: 'work_dir',
      type: { kind: 'string', path: true },
      defaultText: "the config file's directory",
      example: '.',
      doc: 'The git work tree the agent runs in. It must exist, and (its real path, symlinks resolved) must not be `/`, nor inside or above ~/.ssh, ~/.gnupg, ~/.aws, ~/.kube or ~/.config/gcloud, nor hold a control character such as a line break.',
    },
  ],
});
