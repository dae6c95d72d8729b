// Scripts the loopback model server plays (test/model-server/server.ts). A scenario is a list of turns of a
// healthy model (text and real tool calls, in no CLI's dialect yet: each API module renders them in its
// CLI's own tool schema) plus, optionally, a fault: what the API answers instead, attempt by attempt.
// DATA: the tests and the fixtures README name scenarios by these keys.

/** Token figures of one model response, in Anthropic's split: `input` excludes the cache. */
export interface TurnUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export type Action =
  /** the model's words */
  | { kind: 'text'; text: string }
  /** create (or replace) a file: Claude `Write`, Codex `apply_patch` (Add File), Gemini `write_file` */
  | { kind: 'write'; path: string; content: string }
  /** run a shell command in the work tree: Claude `Bash`, Codex `exec_command`, Gemini `run_shell_command` */
  | { kind: 'shell'; command: string };

export interface Turn {
  actions: Action[];
  usage: TurnUsage;
}

/** What the API does instead of answering. Each API module renders it in its own shape. */
export type Fault =
  /** the subscription's usage window is used up; resets at `resetAt` (epoch seconds) */
  | { kind: 'usage_limit'; resetAt: number }
  /** a plain rate limit with a `retry-after` of so many seconds */
  | { kind: 'rate_limit'; retryAfterS: number }
  /** the credential is refused (401) */
  | { kind: 'auth' }
  /** the account's credit is spent (OpenAI insufficient_quota, Anthropic "credit balance is too low") */
  | { kind: 'quota' }
  /** the service is overloaded (Anthropic 529, OpenAI and Gemini 503) */
  | { kind: 'overloaded' }
  /** the model named in the request does not exist (404) */
  | { kind: 'model_not_found' }
  /** accept the request, then never send a byte */
  | { kind: 'hang_before_first_byte' }
  /** send the head of a streamed answer, then go silent with the connection open */
  | { kind: 'hang_mid_stream' };

export interface Scenario {
  name: string;
  description: string;
  turns: Turn[];
  /** the fault for the n-th main request (0-based, counting every attempt and retry), whose body is `request`
   * and whose credential (bearer token or API key) is `credential`; null: answer normally */
  fault: (attempt: number, now: number, request: string, credential: string) => Fault | null;
  /** side calls too (count_tokens, model lists) get a 401 for a credential this refuses */
  refuses?: (credential: string) => boolean;
}

export const WORK_FILE = 'NOTES.md';
export const WORK_CONTENT = '# Notes\n\nA line written by the scripted model.\n';
export const COMMIT_MESSAGE = 'Add NOTES.md';
export const FINAL_TEXT = 'Added NOTES.md and committed it.';

/** The healthy model's script: write a file, commit it through the shell tool, say so. */
export const WORK_TURNS: Turn[] = [
  {
    actions: [
      { kind: 'text', text: 'I will add a notes file.' },
      { kind: 'write', path: WORK_FILE, content: WORK_CONTENT },
    ],
    usage: { input: 1200, output: 80, cacheRead: 0, cacheWrite: 9000 },
  },
  {
    actions: [{ kind: 'shell', command: `git add ${WORK_FILE} && git commit -q -m '${COMMIT_MESSAGE}'` }],
    usage: { input: 300, output: 60, cacheRead: 9000, cacheWrite: 450 },
  },
  {
    actions: [{ kind: 'text', text: FINAL_TEXT }],
    usage: { input: 150, output: 25, cacheRead: 9450, cacheWrite: 120 },
  },
];

/** One short answer: the turns for scenarios whose point is the fault. */
const SAY_DONE: Turn[] = [{ actions: [{ kind: 'text', text: 'Done.' }], usage: { input: 100, output: 5, cacheRead: 0, cacheWrite: 0 } }];

/** How far ahead the usage limit of the `usage_limit` scenario resets. */
export const USAGE_LIMIT_RESET_S = 60;
export const RETRY_AFTER_SHORT_S = 2;
export const RETRY_AFTER_LONG_S = 3600;
/** longer than the silence guard the tests set (3 s), shorter than a CLI's give-up point */
export const RETRY_AFTER_MEDIUM_S = 6;

function always(f: Fault | ((now: number) => Fault)): Scenario['fault'] {
  return (_n, now) => (typeof f === 'function' ? f(now) : f);
}

/** How far after its first limited answer the limit of `usage_limit_then_work` lifts: past the time opencode and kilo
 * retry a usage limit before they give up and print it (five back-offs, 2 s doubling to 30 s plus up to a quarter's
 * jitter: at most 75 s of waiting, and the calls between) */
export const GIVE_UP_RESET_S = 100;

/** How far after its first limited answer the limit of `usage_limit_soon_then_work` lifts: a short wait for the
 * CLIs that give up on a usage limit at once (Claude Code, Codex, Gemini CLI), so serve's wait and resume is tested
 * on them in seconds */
export const SHORT_RESET_S = 20;

/** The usage limit until one reset, fixed at the first request (each driver process plays its scenario once), then none. */
function limitedUntilReset(resetS: number): Scenario['fault'] {
  let resetAt: number | null = null;
  return (_n, now) => {
    resetAt ??= Math.ceil(now / 1000) + resetS;
    return now < resetAt * 1000 ? { kind: 'usage_limit', resetAt } : null;
  };
}

/** The reset instant for a usage limit seen at `now` (ms): whole seconds, as the APIs send it. */
export function usageLimitReset(now: number): number {
  return Math.ceil(now / 1000) + USAGE_LIMIT_RESET_S;
}

/** The file the print_probe scenario's shell prints ($AR_PROBE_FILE: a name no CLI's env filter drops). */
export const PROBE_ENV = 'AR_PROBE_FILE';

export const SCENARIOS: Record<string, Scenario> = {
  print_probe: {
    name: 'print_probe',
    description: 'the work script, with a shell step that prints the probe file, raw and URL-escaped (a secret leaking into the output)',
    turns: [
      {
        actions: [
          {
            kind: 'shell',
            command: `cat "$${PROBE_ENV}"; echo; node -e 'process.stdout.write(encodeURIComponent(require("fs").readFileSync(process.env.${PROBE_ENV}, "utf8")) + "\\n")'`,
          },
        ],
        usage: { input: 200, output: 40, cacheRead: 0, cacheWrite: 0 },
      },
      ...WORK_TURNS,
    ],
    fault: () => null,
  },
  work: {
    name: 'work',
    description: 'edit a file, git add + commit through the shell tool, then a final message',
    turns: WORK_TURNS,
    fault: () => null,
  },
  work_done: {
    name: 'work_done',
    description: 'the work script, then the done sentinel written where the round context says ($AGENT_RUNNER_STATE_DIR/DONE)',
    turns: [
      ...WORK_TURNS.slice(0, 2),
      { actions: [{ kind: 'shell', command: 'echo "nothing left to do" > "$AGENT_RUNNER_STATE_DIR/DONE"' }], usage: { input: 120, output: 30, cacheRead: 9450, cacheWrite: 0 } },
      WORK_TURNS[2],
    ],
    fault: () => null,
  },
  usage_limit: {
    name: 'usage_limit',
    description: `every request: the usage limit is reached, reset ${USAGE_LIMIT_RESET_S} s ahead`,
    turns: SAY_DONE,
    fault: always((now) => ({ kind: 'usage_limit', resetAt: usageLimitReset(now) })),
  },
  usage_limit_then_work: {
    name: 'usage_limit_then_work',
    description: `the usage limit, reset ${GIVE_UP_RESET_S} s after the first request; from then on the work script`,
    turns: WORK_TURNS,
    fault: limitedUntilReset(GIVE_UP_RESET_S),
  },
  usage_limit_soon_then_work: {
    name: 'usage_limit_soon_then_work',
    description: `the usage limit, reset ${SHORT_RESET_S} s after the first request; from then on the work script`,
    turns: WORK_TURNS,
    fault: limitedUntilReset(SHORT_RESET_S),
  },
  retry_after_short: {
    name: 'retry_after_short',
    description: `the first request: 429 with retry-after ${RETRY_AFTER_SHORT_S}; then the work script`,
    turns: WORK_TURNS,
    fault: (n) => (n === 0 ? { kind: 'rate_limit', retryAfterS: RETRY_AFTER_SHORT_S } : null),
  },
  retry_after_medium: {
    name: 'retry_after_medium',
    description: `the first request: 429 with retry-after ${RETRY_AFTER_MEDIUM_S}; then the work script`,
    turns: WORK_TURNS,
    fault: (n) => (n === 0 ? { kind: 'rate_limit', retryAfterS: RETRY_AFTER_MEDIUM_S } : null),
  },
  retry_after_long: {
    name: 'retry_after_long',
    description: `every request: 429 with retry-after ${RETRY_AFTER_LONG_S}`,
    turns: SAY_DONE,
    fault: always({ kind: 'rate_limit', retryAfterS: RETRY_AFTER_LONG_S }),
  },
  auth: { name: 'auth', description: 'every request: 401', turns: SAY_DONE, fault: always({ kind: 'auth' }) },
  quota: {
    name: 'quota',
    description: 'every request: the credit is spent (OpenAI insufficient_quota, Anthropic credit balance too low)',
    turns: SAY_DONE,
    fault: always({ kind: 'quota' }),
  },
  overloaded: {
    name: 'overloaded',
    description: 'every request: overloaded (Anthropic 529, OpenAI and Gemini 503)',
    turns: SAY_DONE,
    fault: always({ kind: 'overloaded' }),
  },
  model_not_found: {
    name: 'model_not_found',
    description: 'every request: 404, the model does not exist',
    turns: SAY_DONE,
    fault: always({ kind: 'model_not_found' }),
  },
  fail_round_1: {
    name: 'fail_round_1',
    description: "a request that carries round 1's prompt (its context says `Round: 1`): 404, the model does not exist; any other: the work script",
    turns: WORK_TURNS,
    fault: (_n, _now, request) => (/Round: 1\b/.test(request) ? { kind: 'model_not_found' } : null),
  },
  accounts: {
    name: 'accounts',
    description:
      'answers by the credential, as several accounts behind one server: one holding `limit<N>s` is at its usage limit, reset N s ahead; one holding `bad` is refused (401), side calls too; one holding `revoked` only its model calls; any other gets the work script (the provider pool tests)',
    turns: WORK_TURNS,
    fault: (_n, now, _request, credential) => {
      const limit = /limit(\d+)s/.exec(credential);
      if (limit) return { kind: 'usage_limit', resetAt: Math.ceil(now / 1000) + Number(limit[1]) };
      // `bad`: refused everywhere; `revoked`: refused by the model calls only (a check that costs nothing passes)
      return /bad|revoked/.test(credential) ? { kind: 'auth' } : null;
    },
    refuses: (credential) => /bad/.test(credential),
  },
  hang_before_first_byte: {
    name: 'hang_before_first_byte',
    description: 'every request: accepted, then not one byte back',
    turns: SAY_DONE,
    fault: always({ kind: 'hang_before_first_byte' }),
  },
  hang_mid_stream: {
    name: 'hang_mid_stream',
    description: 'every request: the head of a streamed answer, then silence with the connection open',
    turns: SAY_DONE,
    fault: always({ kind: 'hang_mid_stream' }),
  },
};

export function scenario(name: string): Scenario {
  const s = SCENARIOS[name];
  if (!s) throw new Error(`unknown scenario ${name} (known: ${Object.keys(SCENARIOS).join(', ')})`);
  return s;
}

export type Dialect = 'anthropic' | 'openai' | 'gemini';

/**
 * What a CLI should report for a run of `turns` answered in full, in agent-runner's split (input without the
 * cache, cached = read + written). OpenAI and Gemini report no cache writes: there, written tokens are
 * plain input (see each API module's usage shape).
 */
export function expectedUsage(turns: Turn[], dialect: Dialect): { input_tokens: number; output_tokens: number; cached_tokens: number } {
  let input = 0;
  let output = 0;
  let cached = 0;
  for (const t of turns) {
    output += t.usage.output;
    if (dialect === 'anthropic') {
      input += t.usage.input;
      cached += t.usage.cacheRead + t.usage.cacheWrite;
    } else {
      input += t.usage.input + t.usage.cacheWrite;
      cached += t.usage.cacheRead;
    }
  }
  return { input_tokens: input, output_tokens: output, cached_tokens: cached };
}
