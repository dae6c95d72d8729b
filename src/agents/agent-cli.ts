// Which agent CLI a round ran, and what to tell the operator about it. Data + pure functions.
import * as path from 'node:path';
import type { StreamFormat } from './stream-parser.js';

export type AgentCli = 'claude' | 'codex' | 'aider' | 'gemini';

/** What fixes a failed login, per CLI: serve's auth stop names it. */
export const AUTH_HINTS: Record<AgentCli | 'other', string> = {
  claude:
    'Claude Code cannot authenticate: run `claude setup-token` (a long-lived token for unattended use; put it in CLAUDE_CODE_OAUTH_TOKEN under [agent.env]) or log in with `claude` then `/login`, or set ANTHROPIC_API_KEY; then `agent-runner start`',
  codex: 'Codex cannot authenticate: run `codex login` (or `codex login --with-api-key`, or set OPENAI_API_KEY), then `agent-runner start`',
  aider: 'aider cannot authenticate: set the API key of its model (e.g. ANTHROPIC_API_KEY or OPENAI_API_KEY) under [agent.env], then `agent-runner start`',
  gemini: 'Gemini CLI cannot authenticate: run `gemini` once to log in, or set GEMINI_API_KEY under [agent.env], then `agent-runner start`',
  other: 'the agent cannot authenticate: log in again, then `agent-runner start`',
};

const NAMES: Array<[RegExp, AgentCli]> = [
  [/^claude(?:-code)?(?:\.exe|\.js|\.cjs)?$/, 'claude'],
  [/^codex(?:\.exe|\.js)?$/, 'codex'],
  [/^aider$/, 'aider'],
  [/^gemini$/, 'gemini'],
];

function byName(arg: string): AgentCli | null {
  // npm package names too: @anthropic-ai/claude-code, @openai/codex, @google/gemini-cli
  const base = path.basename(arg).replace(/@[\d.]+$/, '').replace(/-cli$/, '');
  for (const [re, cli] of NAMES) if (re.test(base)) return cli;
  return null;
}

/**
 * The CLI a command runs: argv[0]'s base name, or, behind a launcher (npx, env, node, bash -c …), the
 * first argument that names one; failing that, the shape of its output stream.
 */
export function agentCli(command: readonly string[], format: StreamFormat | null = null): AgentCli | null {
  const first = command[0] ? byName(command[0]) : null;
  if (first) return first;
  for (const arg of command.slice(1)) {
    for (const word of arg.split(/\s+/)) {
      const hit = word && byName(word);
      if (hit) return hit;
    }
  }
  if (format === 'claude') return 'claude';
  if (format === 'codex') return 'codex';
  return null;
}

/**
 * Flags a CLI refuses when it runs as root, and the variable that lets it run anyway. Started that way, every
 * round is a sure crash (a crash loop under serve), so the preflight refuses it first.
 */
export const ROOT_REFUSALS: ReadonlyArray<{ cli: AgentCli; flag: string; unlessEnv: [string, string]; name: string }> = [
  // "--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons"
  { cli: 'claude', flag: '--dangerously-skip-permissions', unlessEnv: ['IS_SANDBOX', '1'], name: 'Claude Code' },
];

/** Pure: why this command cannot run as this user, or null. */
export function rootRefusal(command: readonly string[], env: NodeJS.ProcessEnv, uid: number | null): string | null {
  if (uid !== 0) return null;
  const cli = agentCli(command);
  for (const r of ROOT_REFUSALS) {
    if (r.cli !== cli || !command.includes(r.flag)) continue;
    const [k, v] = r.unlessEnv;
    if (env[k] === v) continue;
    return `${r.name} refuses ${r.flag} as root: run agent-runner as a normal user, or, only inside a container or VM, add ${k} = "${v}" to [agent.env]`;
  }
  return null;
}

export function authHint(command: readonly string[], format: StreamFormat | null = null): string {
  return AUTH_HINTS[agentCli(command, format) ?? 'other'];
}

export interface Pricing {
  input_usd_per_mtok: number;
  output_usd_per_mtok: number;
  cached_usd_per_mtok: number;
}

/** A cost from tokens and a price table; null when no price is set (all zero). Cached tokens are billed apart. */
export function costFromTokens(
  t: { input_tokens: number; output_tokens: number; cached_tokens: number },
  p: Pricing | undefined,
): number | null {
  if (!p || (p.input_usd_per_mtok === 0 && p.output_usd_per_mtok === 0 && p.cached_usd_per_mtok === 0)) return null;
  const usd = (t.input_tokens * p.input_usd_per_mtok + t.output_tokens * p.output_usd_per_mtok + t.cached_tokens * p.cached_usd_per_mtok) / 1e6;
  return Math.round(usd * 1e6) / 1e6;
}
