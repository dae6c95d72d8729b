// The configuration schema as data: every section and key of agent-runner.toml, with its type, default,
// range and a one-line doc. The loader validates against it; the example file and docs/configuration.md
// are rendered from it, so the three can never disagree. Array sections ([[phases]]) come last so that
// the keys of the example file stay under their own headers when a user uncomments them.

export type ValueType =
  | { kind: 'string'; path?: boolean; pattern?: { re: RegExp; doc: string } }
  | { kind: 'string_array'; path?: boolean; nonEmpty: boolean }
  | { kind: 'number'; min: number; max: number; integer: boolean; unit?: string }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'boolean' }
  | { kind: 'env_table' };

/** A TOML value as it is written in the example and the docs. */
export type Literal = string | number | boolean | string[] | Record<string, string>;

export interface KeySpec {
  key: string;
  type: ValueType;
  required?: boolean;
  /** the default when it is a constant */
  default?: Literal;
  /** how the default reads when it is computed (no `default` then) */
  defaultText?: string;
  /** a value to show, commented out, in the example file when the default is computed or absent */
  example?: Literal;
  /** the sibling key that cannot be given together with this one */
  exclusiveWith?: string;
  doc: string;
}

export interface SectionSpec {
  name: string;
  /** `table` is `[name]`; `array` is `[[name]]`, zero or more */
  kind: 'table' | 'array';
  doc: string;
  keys: KeySpec[];
}

export const SECONDS_MAX_WEEK = 604800;
export const SECONDS_MAX_DAY = 86400;
export const DEFAULT_PROMPT_FILE = 'prompts/main.md';
export const PHASE_NAME_RE = /^[a-z0-9_-]{1,64}$/;
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

const roundTimeout = (doc: string, dflt?: number): KeySpec => ({
  key: 'round_timeout_s',
  type: { kind: 'number', min: 1, max: SECONDS_MAX_WEEK, integer: false, unit: 's' },
  ...(dflt === undefined ? { defaultText: 'runtime.round_timeout_s', example: 3600 } : { default: dflt }),
  doc,
});

export const SCHEMA: readonly SectionSpec[] = [
  {
    name: 'agent',
    kind: 'table',
    doc: 'The agent CLI and how it is started.',
    keys: [
      {
        key: 'command',
        type: { kind: 'string_array', nonEmpty: true },
        required: true,
        example: ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'],
        doc: 'The agent command line as an array (no shell). An element containing {prompt} gets the prompt substituted; if none does, the prompt goes to the agent\'s stdin.',
      },
      {
        key: 'env',
        type: { kind: 'env_table' },
        default: {},
        example: { DISABLE_AUTOUPDATER: '1' },
        doc: 'Extra environment variables for the agent, added to agent-runner\'s own environment (names: letters, digits, _).',
      },
    ],
  },
  {
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
  },
  {
    name: 'prompt',
    kind: 'table',
    doc: 'What the agent is told each round (after a short round-context block).',
    keys: [
      {
        key: 'file',
        type: { kind: 'string', path: true },
        default: DEFAULT_PROMPT_FILE,
        exclusiveWith: 'files',
        doc: 'The prompt file.',
      },
      {
        key: 'files',
        type: { kind: 'string_array', path: true, nonEmpty: true },
        defaultText: 'unset (prompt.file is used)',
        example: ['prompts/main.md', 'prompts/style.md'],
        exclusiveWith: 'file',
        doc: 'Several prompt files, joined in order. Give file or files, not both.',
      },
    ],
  },
  {
    name: 'vcs',
    kind: 'table',
    doc: 'Git aftercare at the end of each round.',
    keys: [
      {
        key: 'dirty_action',
        type: { kind: 'enum', values: ['stash', 'commit', 'ignore'] },
        default: 'stash',
        doc: 'What to do with uncommitted work a round leaves: stash it (referenced by SHA, shown to the next round), commit it, or leave it in place.',
      },
    ],
  },
  {
    name: 'serve',
    kind: 'table',
    doc: 'The restart policy of `agent-runner serve`.',
    keys: [
      {
        key: 'crash_loop_threshold',
        type: { kind: 'number', min: 1, max: 1000, integer: true },
        default: 5,
        doc: 'Consecutive quick agent failures that trip the crash-loop breaker (serve stops).',
      },
      {
        key: 'quick_failure_s',
        type: { kind: 'number', min: 0, max: SECONDS_MAX_DAY, integer: false, unit: 's' },
        default: 60,
        doc: 'A failed round shorter than this many seconds counts as quick for the breaker.',
      },
      {
        key: 'backoff_base_s',
        type: { kind: 'number', min: 0, max: SECONDS_MAX_DAY, integer: false, unit: 's' },
        default: 10,
        doc: 'First back-off after a failed round, in seconds; it doubles with each further failure.',
      },
      {
        key: 'backoff_max_s',
        type: { kind: 'number', min: 1, max: SECONDS_MAX_WEEK, integer: false, unit: 's' },
        default: 1800,
        doc: 'The longest back-off, in seconds; at least backoff_base_s.',
      },
      {
        key: 'stop_on_auth',
        type: { kind: 'boolean' },
        default: true,
        doc: 'Stop serve at the first round that fails to authenticate, with a hint for the agent CLI (e.g. `claude setup-token`, `codex login`); false backs off instead, like a network failure.',
      },
    ],
  },
  {
    name: 'pricing',
    kind: 'table',
    doc: "Optional token prices, for a round's cost when the agent does not report one (Codex reports tokens only; Claude Code reports its own cost). All 0: no cost is computed.",
    keys: [
      {
        key: 'input_usd_per_mtok',
        type: { kind: 'number', min: 0, max: 10000, integer: false },
        default: 0,
        doc: 'US dollars per million input tokens not served from the cache.',
      },
      {
        key: 'output_usd_per_mtok',
        type: { kind: 'number', min: 0, max: 10000, integer: false },
        default: 0,
        doc: 'US dollars per million output tokens.',
      },
      {
        key: 'cached_usd_per_mtok',
        type: { kind: 'number', min: 0, max: 10000, integer: false },
        default: 0,
        doc: 'US dollars per million cached input tokens.',
      },
    ],
  },
  {
    name: 'monitor',
    kind: 'table',
    doc: 'Thresholds of `agent-runner monitor`; docs/detectors.md says what each detector means.',
    keys: [
      {
        key: 'interval_s',
        type: { kind: 'number', min: 1, max: SECONDS_MAX_DAY, integer: false, unit: 's' },
        default: 60,
        doc: 'Seconds between two polls of each host in loop mode (--interval overrides it).',
      },
      {
        key: 'window_s',
        type: { kind: 'number', min: 60, max: SECONDS_MAX_WEEK, integer: false, unit: 's' },
        default: 3600,
        doc: 'Round-based detectors look only at rounds that ended within this many seconds of the snapshot.',
      },
      {
        key: 'window_rounds',
        type: { kind: 'number', min: 1, max: 1000, integer: true },
        default: 20,
        doc: 'Round-based detectors look at no more than this many of the newest rounds.',
      },
      {
        key: 'min_rounds',
        type: { kind: 'number', min: 1, max: 1000, integer: true },
        default: 3,
        doc: 'A rate (timeout_rate, smoke_fail_rate) is judged only over at least this many rounds in the window.',
      },
      {
        key: 'timeout_rate',
        type: { kind: 'number', min: 0, max: 1, integer: false },
        default: 0.5,
        doc: 'timeout_rate fires when at least this fraction of the rounds in the window timed out.',
      },
      {
        key: 'hung_factor',
        type: { kind: 'number', min: 1, max: 100, integer: false },
        default: 1.5,
        doc: 'hung fires when the open round is older than this many times its timeout.',
      },
      {
        key: 'orphan_chain',
        type: { kind: 'number', min: 2, max: 1000, integer: true },
        default: 3,
        doc: 'orphan_chain fires when this many consecutive newest rounds each left orphan work (a stash).',
      },
      {
        key: 'disk_warning_pct',
        type: { kind: 'number', min: 1, max: 100, integer: false },
        default: 85,
        doc: "disk_warning fires when the state dir's filesystem is at least this full, in percent.",
      },
      {
        key: 'disk_critical_pct',
        type: { kind: 'number', min: 1, max: 100, integer: false },
        default: 95,
        doc: 'disk_critical fires when it is at least this full, in percent; not below disk_warning_pct.',
      },
      {
        key: 'mem_available_pct',
        type: { kind: 'number', min: 0, max: 100, integer: false },
        default: 10,
        doc: 'mem_pressure fires when available memory is below this percent of the total.',
      },
      {
        key: 'oauth_fail_rounds',
        type: { kind: 'number', min: 1, max: 1000, integer: true },
        default: 1,
        doc: 'oauth_fail fires after this many auth failures since the last ok round (and, while serve runs, since it started).',
      },
      {
        key: 'network_fail_rounds',
        type: { kind: 'number', min: 1, max: 1000, integer: true },
        default: 3,
        doc: 'network_fail fires after this many network failures in the window since the last ok round.',
      },
      {
        key: 'smoke_fail_rate',
        type: { kind: 'number', min: 0, max: 1, integer: false },
        default: 0.5,
        doc: 'smoke_fail_rate fires when at least this fraction of the rounds in the window failed preflight, or the newest did.',
      },
      {
        key: 'heartbeat_stale_s',
        type: { kind: 'number', min: 10, max: SECONDS_MAX_WEEK, integer: false, unit: 's' },
        default: 900,
        doc: 'supervisor_stale fires when serve says it is running between rounds but has not updated its status for this long.',
      },
      {
        key: 'auto_stop_on',
        type: { kind: 'string_array', nonEmpty: false },
        default: ['oauth_fail', 'disk_critical'],
        doc: 'Detectors whose alert stops serve, as `agent-runner stop` does; only auto-stop-eligible ones (docs/detectors.md). [] never stops.',
      },
    ],
  },
  {
    name: 'phases',
    kind: 'array',
    doc: 'Optional phases that rotate round by round ([[phases]], one table per phase, in order).',
    keys: [
      {
        key: 'name',
        type: { kind: 'string', pattern: { re: PHASE_NAME_RE, doc: '1 to 64 lowercase letters, digits, _ and -' } },
        required: true,
        example: 'build',
        doc: 'The phase name: unique; 1 to 64 lowercase letters, digits, _ and -.',
      },
      roundTimeout('The round timeout in this phase, in seconds.'),
      {
        key: 'prompt_file',
        type: { kind: 'string', path: true },
        defaultText: 'prompt.file / prompt.files',
        example: 'prompts/build.md',
        exclusiveWith: 'prompt_files',
        doc: 'The prompt file of this phase.',
      },
      {
        key: 'prompt_files',
        type: { kind: 'string_array', path: true, nonEmpty: true },
        defaultText: 'prompt.file / prompt.files',
        example: ['prompts/build.md', 'prompts/style.md'],
        exclusiveWith: 'prompt_file',
        doc: 'Several prompt files of this phase, joined in order. Give prompt_file or prompt_files, not both.',
      },
    ],
  },
];

export function sectionSpec(name: string): SectionSpec | undefined {
  return SCHEMA.find((s) => s.name === name);
}

export function keySpec(section: string, key: string): KeySpec | undefined {
  return sectionSpec(section)?.keys.find((k) => k.key === key);
}

/** `section.key` of every key, for "did you mean" across sections. */
export function allDottedKeys(): string[] {
  return SCHEMA.flatMap((s) => s.keys.map((k) => `${s.name}.${k.key}`));
}

/** The default of a key whose default is a constant; throws on a schema mistake (a programming error). */
export function defaultOf<T extends Literal>(section: string, key: string): T {
  const spec = keySpec(section, key);
  if (!spec || spec.default === undefined) throw new Error(`schema: no constant default for ${section}.${key}`);
  return spec.default as T;
}

/** How a type reads in docs and error messages. */
export function describeType(t: ValueType): string {
  switch (t.kind) {
    case 'string':
      return t.path ? 'path (string)' : 'string';
    case 'string_array':
      return t.path ? 'array of paths' : 'array of strings';
    case 'number':
      return `${t.integer ? 'integer' : 'number'} ${t.min}..${t.max}`;
    case 'enum':
      return `one of ${t.values.map((v) => `"${v}"`).join(', ')}`;
    case 'boolean':
      return 'boolean';
    case 'env_table':
      return 'table of strings';
  }
}
