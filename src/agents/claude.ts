// Claude Code (`claude`): everything agent-runner knows about it. Its stream reader is claude-stream.ts.
import { CLAUDE_STREAM } from './claude-stream.js';
import { formatterFor, fromEpoch, hour24, MONTH_RE, MONTHS, wallClock, zonedInstant } from './resets.js';
import type { ResolvedProvider } from '../config/providers.js';
import type { AgentAdapter, ProviderLaunch } from './types.js';
import type { SessionSupport } from './session.js';
import { readDataIds, str } from './json-fields.js';

/** Flags with which the command picks its session itself: continuity leaves such a command alone. */
const CLAUDE_SESSION_FLAGS = /^(?:-c|--continue|-r|--resume|--session-id|--from-pr|--fork-session)(?:=|$)/;

/**
 * Every stream-json line carries `session_id` (the `system` init line first); `--resume <id>` continues that
 * conversation in print mode, under the same id. An id it has no transcript of: `No conversation found with
 * session ID: <id>` (in the result's `errors`), exit 1.
 */
export const CLAUDE_SESSION: SessionSupport = {
  idOf: (v) => str(v.session_id),
  resumeArgv(command, id) {
    if (command.some((a) => CLAUDE_SESSION_FLAGS.test(a))) return null;
    return [command[0], '--resume', id, ...command.slice(1)];
  },
  unknown: /No conversation found with session ID/i,
};

/** Claude Code's machine form: `Claude AI usage limit reached|1762952400`. */
export function resetFromPipeEpoch(text: string): Date | null {
  const m = /limit reached\|(\d{10,13})(?!\d)/i.exec(text);
  return m ? fromEpoch(Number(m[1])) : null;
}

/**
 * A clock time with an IANA zone: `resets 5pm (Europe/Warsaw)`, `resets 5:30am (America/New_York)`,
 * `resets Oct 9, 3pm (Europe/Warsaw)`, `will reset at 17:00 (UTC)`. Without a date it is the next such time after `now`.
 */
export function resetFromZonedClock(text: string, now: Date): Date | null {
  const re = new RegExp(
    `\\bresets?\\s+(?:at\\s+)?(?:${MONTH_RE}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(?:at\\s+)?)?` +
      `(\\d{1,2})(?::(\\d{2}))?\\s*(am|pm)?\\s*\\(([A-Za-z][A-Za-z0-9_+-]{0,40}(?:/[A-Za-z0-9_+-]{1,40}){0,2})\\)`,
    'i',
  );
  const m = re.exec(text);
  if (!m) return null;
  const [, mon, day, hh, mm, ampm, zone] = m;
  if (!ampm && mm === undefined) return null; // a bare number is not a clock
  const h = hour24(Number(hh), ampm);
  const mi = mm === undefined ? 0 : Number(mm);
  if (h === null || mi > 59) return null;
  const f = formatterFor(zone);
  if (!f) return null;
  const today = wallClock(f, now.getTime());
  if (mon) {
    const mo = MONTHS.indexOf(mon.toLowerCase());
    const d = Number(day);
    let t = zonedInstant(f, today.y, mo, d, h, mi);
    // "Jan 2" read in late December belongs to next year
    if (t < now.getTime() - 24 * 3600_000) t = zonedInstant(f, today.y + 1, mo, d, h, mi);
    return new Date(t);
  }
  let t = zonedInstant(f, today.y, today.mo, today.d, h, mi);
  if (t <= now.getTime()) t = zonedInstant(f, today.y, today.mo, today.d + 1, h, mi);
  return new Date(t);
}


const CLAUDE_TIERS: Record<string, string> = { opus: 'ANTHROPIC_DEFAULT_OPUS_MODEL', sonnet: 'ANTHROPIC_DEFAULT_SONNET_MODEL', haiku: 'ANTHROPIC_DEFAULT_HAIKU_MODEL', default: 'ANTHROPIC_MODEL' };

/**
 * Claude Code on a provider: its own config dir (logins and sessions per provider), ANTHROPIC_BASE_URL, the
 * key where it reads it (an OAuth token from `claude setup-token` as CLAUDE_CODE_OAUTH_TOKEN, any other key
 * as ANTHROPIC_API_KEY), and the model of each tier. The operator's own key and token variables are dropped.
 */
export function claudeProvider(p: ResolvedProvider, home: string): ProviderLaunch {
  const env: Record<string, string> = { CLAUDE_CONFIG_DIR: home };
  if (p.baseUrl) env.ANTHROPIC_BASE_URL = p.baseUrl;
  if (p.apiKey) env[/^sk-ant-oat/.test(p.apiKey) ? 'CLAUDE_CODE_OAUTH_TOKEN' : 'ANTHROPIC_API_KEY'] = p.apiKey;
  for (const [tier, model] of Object.entries(p.models)) if (CLAUDE_TIERS[tier]) env[CLAUDE_TIERS[tier]] = model;
  const unset = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_BASE_URL', ...Object.values(CLAUDE_TIERS)];
  return { env, unset: unset.filter((k) => !(k in env)), files: [] };
}

export const claude: AgentAdapter = {
  name: 'claude',
  title: 'Claude Code',
  // npm package names too: @anthropic-ai/claude-code
  binary: /^claude(?:-code)?(?:\.exe|\.js|\.cjs)?$/,
  preset: {
    name: 'claude',
    description: 'Claude Code (`claude`) in print mode, prompt on stdin, JSON event stream in the round log.',
    command: ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'],
    env: { DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    notes: [
      '-p: print mode: work on one prompt headless, then exit. With no prompt argument it reads the prompt from stdin, where agent-runner sends it.',
      '--output-format stream-json --verbose: one JSON event per line, parsed as it streams (rounds/<n>.events.jsonl; tokens, cost, turns and tool calls on the round record; the final result that result_grace_s waits on; rate-limit notices, auth errors and usage limits for the verdict). Print mode needs --verbose for stream-json.',
      '--dangerously-skip-permissions: nobody is there to answer permission prompts, which would stall every round. Use it only where you accept that the agent may change anything this user can (a VM, a container, a dedicated user). As root, Claude Code refuses this flag unless IS_SANDBOX=1 is in [agent.env]; set that only inside a container or VM.',
      'env DISABLE_AUTOUPDATER=1: the binary does not update itself under a running loop. CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1: no telemetry, error reports or update checks.',
    ],
    proof: { verified: true, test: 'test/integration/real-cli-claude.test.ts (@anthropic-ai/claude-code 2.1.197)' },
  },
  prompt: 'stdin',
  stream: CLAUDE_STREAM,
  patterns: [
    {
      name: 'limit-reached-epoch',
      category: 'usage_limit',
      re: /limit reached\|\d{10,13}/i,
      example: 'Claude AI usage limit reached|1762952400',
      reset: (t) => resetFromPipeEpoch(t),
    },
  ],
  resets: [
    { name: 'pipe-epoch', precision: 'instant', read: (t) => resetFromPipeEpoch(t) },
    { name: 'zoned-clock', precision: 'clock', read: resetFromZonedClock },
  ],
  authHint:
    'Claude Code cannot authenticate: log in with `claude` then `/login`, or run `claude setup-token` (a long-lived token for unattended use) and export it as CLAUDE_CODE_OAUTH_TOKEN in the environment agent-runner starts from (kept in a file outside the repository, never in agent-runner.toml); then `agent-runner start`',
  // "--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons"
  rootRefusals: [{ flag: '--dangerously-skip-permissions', unlessEnv: ['IS_SANDBOX', '1'] }],
  // `claude --version` → `2.1.197 (Claude Code)`
  version: {
    args: ['--version'],
    parse: (out) => /(\d+\.\d+\.\d+[\w.+-]*)\s+\(Claude Code\)/.exec(out)?.[1] ?? null,
  },
  session: CLAUDE_SESSION,
  model: {
    flags: ['--model'],
    env: ['ANTHROPIC_MODEL'],
    settings: "Claude Code's default, or `model` in its settings (~/.claude/settings.json)",
    // GET /v1/models (at most 1000 a page); with a subscription login (no key in the environment) there is no list
    list: {
      keyEnv: ['ANTHROPIC_API_KEY'],
      baseEnv: ['ANTHROPIC_BASE_URL'],
      defaultBase: 'https://api.anthropic.com',
      path: '/v1/models?limit=1000',
      headers: (key) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' }),
      read: readDataIds,
    },
  },
  provider: {
    kinds: ['anthropic'],
    why: 'Claude Code speaks only the Anthropic Messages API (a gateway that offers it is kind "anthropic")',
    launch: claudeProvider,
  },
};
