// OpenAI Codex CLI (`codex exec --json`): everything agent-runner knows about it, its JSONL stream included.
// Never evidence: command_execution / file_change / mcp_tool_call items (tool output) and reasoning.
import { readDataIds, errorText, isObj, num, str, type Obj } from './json-fields.js';
import { clip } from '../util/text.js';
import { summary, type AgentEvent, type AgentEventType, type TokenUsage } from './events.js';
import { hour24, MONTH_RE, MONTHS } from './resets.js';
import type { AgentLines } from './agent-lines.js';
import { codexDenial } from './denials.js';
import * as path from 'node:path';
import type { ResolvedProvider } from '../config/providers.js';
import type { AgentAdapter, LiveReader, ProviderLaunch, StreamContext, StreamShape } from './types.js';
import type { SessionSupport } from './session.js';

/**
 * `thread.started` names the thread; `codex exec [its options] resume <id> <prompt>` continues it (exec's own
 * options stay before `resume`; the prompt, `-` for stdin, moves after the id). An id with no rollout on disk:
 * `thread/resume failed: no rollout found for thread id <id>`, exit 1.
 */
export const CODEX_SESSION: SessionSupport = {
  idOf: (v, type) => (type === 'thread.started' ? str(v.thread_id) : null),
  resumeArgv(command, id) {
    const exec = command.indexOf('exec');
    if (exec < 0 || command.slice(exec + 1).some((a) => a === 'resume' || a === 'fork' || a === 'review')) return null;
    const rest = command.slice(exec + 1);
    const last = rest.at(-1);
    const hasPrompt = last === '-' || (last?.includes('{prompt}') ?? false);
    const options = hasPrompt ? rest.slice(0, -1) : rest;
    return [...command.slice(0, exec + 1), ...options, 'resume', id, hasPrompt ? (last as string) : '-'];
  },
  unknown: /no rollout found for thread id/i,
  // turn.completed of a resumed thread counts the thread's tokens from its start (measured with codex 0.171)
  cumulativeUsage: true,
};

/**
 * `try again at Nov 21st, 2026 2:57 AM.` or, the same day, `try again at 2:57 AM.` Codex prints the
 * machine's local time without a zone; we assume the supervisor runs on the same machine (same TZ) as the agent.
 * It prints the minute the reset falls in, seconds cut off ("4:38 AM" for 04:38:45): the reset is read as the
 * end of that minute, so the next round never starts before it. A day-less time a little in the past (Codex
 * printed it moments ago, or the round's end took a while) means now, never tomorrow; only one well in the past
 * (the clock passed midnight since: "1:30 AM" read at 11 PM) is tomorrow's.
 */
export function resetFromLocalClock(text: string, now: Date): Date | null {
  const re = new RegExp(
    `\\btry again at\\s+(?:${MONTH_RE}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4}),?\\s+(?:at\\s+)?)?` +
      `(\\d{1,2}):(\\d{2})\\s*(am|pm)?`,
    'i',
  );
  const m = re.exec(text);
  if (!m) return null;
  const [, mon, day, year, hh, mm, ampm] = m;
  const h = hour24(Number(hh), ampm);
  const mi = Number(mm);
  if (h === null || mi > 59) return null;
  const t = mon ? new Date(Number(year), MONTHS.indexOf(mon.toLowerCase()), Number(day), h, mi) : new Date(now.getFullYear(), now.getMonth(), now.getDate(), h, mi);
  t.setMinutes(t.getMinutes() + 1); // the end of the printed minute
  if (!mon && t.getTime() < now.getTime() - PAST_IS_NOW_MS) t.setDate(t.getDate() + 1);
  return t;
}

/** How far in the past a day-less reset time may be and still mean "now": longer than any round's end takes. */
const PAST_IS_NOW_MS = 60 * 60_000;

const TOOL_ITEMS: ReadonlySet<string> = new Set(['command_execution', 'file_change', 'mcp_tool_call', 'web_search']);

function toolName(item: Obj, itype: string): string {
  if (itype === 'mcp_tool_call') return `mcp:${str(item.server) ?? '?'}/${str(item.tool) ?? '?'}`;
  if (itype === 'command_execution') return 'shell';
  return itype;
}

function live(ctx: StreamContext): LiveReader {
  const stats = ctx.stats;
  const started = new Set<string>();
  const item = (v: Obj, type: string, base: (t: AgentEventType) => AgentEvent): AgentEvent => {
    // item.started / item.updated / item.completed
    const it = isObj(v.item) ? v.item : {};
    const itype = str(it.type) ?? '';
    const id = str(it.id) ?? '';
    if (itype === 'error') {
      const ev = base('error');
      ev.summary = summary(str(it.message) ?? 'error');
      return ev;
    }
    if (itype === 'agent_message') {
      const ev = base(type === 'item.completed' ? 'message' : 'other');
      const t = str(it.text);
      if (t && type === 'item.completed') ev.summary = summary(t);
      ctx.progress();
      return ev;
    }
    if (TOOL_ITEMS.has(itype)) {
      const tool = toolName(it, itype);
      if (type === 'item.started') {
        if (started.size < 100_000) started.add(id);
        stats.tool_calls++;
        const ev = base('tool_use');
        ev.tool = tool;
        ev.summary = summary(tool);
        return ev;
      }
      if (type === 'item.completed') {
        // a file_change comes only as completed: it is a call and its result at once
        if (!started.delete(id)) stats.tool_calls++;
        ctx.progress();
        const ev = base('tool_result');
        ev.tool = tool;
        const status = str(it.status);
        ev.is_error = status === 'failed' || status === 'declined' || (num(it.exit_code) ?? 0) !== 0;
        ev.summary = summary(`${tool}${status ? ` ${status}` : ''}`);
        return ev;
      }
      return base('other');
    }
    if (type === 'item.completed') ctx.progress(); // reasoning, todo_list: work happened
    return base('other');
  };
  return (v, type, base) => {
    switch (type) {
      case 'thread.started':
        return base('init');
      case 'turn.started':
        stats.turns++;
        return base('other');
      case 'turn.completed': {
        const ev = base('result');
        ev.is_error = false;
        const u = isObj(v.usage) ? v.usage : {};
        // OpenAI counts cached input inside input_tokens; the tally counts it apart. Normalized to that.
        const cached = num(u.cached_input_tokens) ?? 0;
        const usage: TokenUsage = {
          input_tokens: Math.max(0, (num(u.input_tokens) ?? 0) - cached),
          output_tokens: num(u.output_tokens) ?? 0,
          cached_tokens: cached,
        };
        ev.usage = usage;
        // each turn reports its own usage: a session is their sum
        stats.input_tokens += usage.input_tokens;
        stats.output_tokens += usage.output_tokens;
        stats.cached_tokens += usage.cached_tokens;
        ctx.progress();
        ctx.result(false, null);
        return ev;
      }
      case 'turn.failed': {
        const ev = base('result');
        ev.is_error = true;
        ev.summary = summary(errorText(v.error) ?? 'turn failed');
        ctx.result(true, JSON.stringify({ type: 'turn.failed', error: { message: clip(errorText(v.error) ?? 'turn failed', 2000) } }));
        return ev;
      }
      case 'error': {
        const ev = base('error');
        ev.summary = summary(str(v.message) ?? errorText(v.error) ?? 'error');
        return ev;
      }
      default:
        return item(v, type, base);
    }
  };
}

function tail(v: Obj, type: string, out: AgentLines, progress: () => void): void {
  switch (type) {
    case 'turn.completed':
      progress();
      out.turnFailed = null;
      break;
    case 'turn.failed':
      out.turnFailed = errorText(v.error) ?? 'turn failed';
      break;
    case 'error': {
      const m = str(v.message) ?? errorText(v.error);
      if (m) out.errorMessages.push(m);
      break;
    }
    case 'item.started':
    case 'item.updated':
    case 'item.completed': {
      const item = isObj(v.item) ? v.item : {};
      const itype = str(item.type);
      if (itype === 'error') {
        const m = str(item.message);
        if (m) out.errorMessages.push(m);
      } else if (itype === 'agent_message') {
        const t = str(item.text);
        if (t && type === 'item.completed') out.assistantTexts.push(t);
        progress();
      } else if (type === 'item.completed') {
        // command_execution, file_change, mcp_tool_call, reasoning, web_search, todo_list: work happened
        progress();
      }
      break;
    }
    // thread.started, turn.started: nothing the verdict reads
  }
}

const CODEX_STREAM: StreamShape = {
  format: 'codex',
  types: new Set(['thread.started', 'turn.started', 'turn.completed', 'turn.failed', 'item.started', 'item.updated', 'item.completed', 'error']),
  live,
  tail,
  deniedInText: codexDenial,
};


/**
 * Codex on a provider: a CODEX_HOME of its own (its logins and sessions per provider) holding a generated
 * config.toml whose model provider is this one: the Responses API at base_url (OpenAI's own by default),
 * the key read from OPENAI_API_KEY (never written to the file). Without a key it uses the login kept in that
 * home (`CODEX_HOME=<home> codex login`). Rewritten each round: edits to it do not last.
 */
/** A TOML basic string: JSON's escapes are TOML's (a DEL aside, which no name or URL holds). */
const tomlStr = (s: string): string => JSON.stringify(s);

export function codexProvider(p: ResolvedProvider, home: string): ProviderLaunch {
  const model = p.models.default ?? Object.values(p.models)[0];
  const lines = [
    `# Written by agent-runner for [providers.${p.name}] before each round; edits here are overwritten.`,
    ...(model ? [`model = ${tomlStr(model)}`] : []),
    'model_provider = "agent_runner"',
    'check_for_update_on_startup = false',
    '',
    '[model_providers.agent_runner]',
    `name = ${tomlStr(p.name)}`,
    `base_url = ${tomlStr(p.baseUrl ?? 'https://api.openai.com/v1')}`,
    'wire_api = "responses"',
    p.apiKey ? 'env_key = "OPENAI_API_KEY"' : 'requires_openai_auth = true',
  ];
  return {
    env: { CODEX_HOME: home, ...(p.apiKey ? { OPENAI_API_KEY: p.apiKey } : {}) },
    unset: p.apiKey ? [] : ['OPENAI_API_KEY'],
    files: [{ path: path.join(home, 'config.toml'), content: `${lines.join('\n')}\n` }],
  };
}

export const codex: AgentAdapter = {
  name: 'codex',
  title: 'Codex',
  // npm package names too: @openai/codex
  binary: /^codex(?:\.exe|\.js)?$/,
  preset: {
    name: 'codex',
    description: 'OpenAI Codex CLI (`codex exec`), prompt on stdin, JSONL events in the round log.',
    command: ['codex', 'exec', '--json', '--sandbox', 'workspace-write', '-c', 'sandbox_workspace_write.writable_roots=[".git","{state_dir}"]', '-'],
    env: {},
    notes: [
      'exec: non-interactive mode: one task, then exit. "-" reads the prompt from stdin, where agent-runner sends it (no argument-size limit, not visible in ps).',
      '--json: one JSON event per line, parsed as it streams (rounds/<n>.events.jsonl; tokens, turns and tool calls on the round record, cost from the config or the shipped price table (docs/agents.md); turn.completed is the final result that result_grace_s waits on; errors and usage limits for the verdict).',
      '--sandbox workspace-write: exec is read-only by default; this lets it edit the work tree. Network stays off inside the sandbox: for git push or package installs add -c sandbox_workspace_write.network_access=true, or run inside a VM with --dangerously-bypass-approvals-and-sandbox instead.',
      '-c sandbox_workspace_write.writable_roots=[".git","{state_dir}"]: the sandbox mounts .git read-only, so without ".git" every `git commit` of the agent fails ("Unable to create .git/index.lock") and its work is left to agent-runner\'s aftercare (stashed, or committed with dirty_action = "commit"). With it the agent commits its own work. {state_dir} (agent-runner puts the state dir there) lets it write the done sentinel $AGENT_RUNNER_STATE_DIR/DONE, which lies outside the workspace; the price is that the agent could also write the ledger and logs there. Drop it if you end the loop yourself.',
      'No --skip-git-repo-check: the work dir is a git work tree, so the check passes, and it stops codex from editing a directory that is not under version control.',
    ],
    proof: { verified: true, test: 'test/integration/real-cli-codex.test.ts (@openai/codex 0.171.0)' },
  },
  prompt: 'stdin',
  stream: CODEX_STREAM,
  // its usage-limit words ("You've hit your usage limit") are in the shared table: Claude Code's are alike
  patterns: [],
  resets: [{ name: 'local-clock', precision: 'clock', read: resetFromLocalClock }],
  authHint: 'Codex cannot authenticate: run `codex login` (or `codex login --with-api-key`, or export OPENAI_API_KEY in the environment agent-runner starts from, kept outside the repository), then `agent-runner start`',
  rootRefusals: [],
  // `codex --version` → `codex-cli 0.169.0`
  version: {
    args: ['--version'],
    parse: (out) => /\bcodex(?:-cli)? v?(\d+\.\d+\.\d+[\w.+-]*)/.exec(out)?.[1] ?? null,
  },
  session: CODEX_SESSION,
  model: {
    flags: ['--model', '-m'],
    env: [],
    settings: "Codex's config.toml (`model`, in $CODEX_HOME, default ~/.codex), or its default",
    // with an API key in the environment Codex calls OpenAI (or OPENAI_BASE_URL): GET /models lists what it serves
    list: {
      keyEnv: ['CODEX_API_KEY', 'OPENAI_API_KEY'],
      baseEnv: ['OPENAI_BASE_URL'],
      defaultBase: 'https://api.openai.com/v1',
      path: '/models',
      headers: (key) => ({ authorization: `Bearer ${key}` }),
      read: readDataIds,
    },
  },
  provider: {
    kinds: ['openai', 'openai-compatible'],
    why: 'Codex speaks the OpenAI Responses API only',
    launch: codexProvider,
  },
};
