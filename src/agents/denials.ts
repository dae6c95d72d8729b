// A tool call the CLI's permission settings refused, in one short form for the record and peek:
// `Bash(git push origin main)`, `Write(src/app.ts)`. Pure. Each adapter finds its CLI's refusals (Claude
// Code's result line lists them as `permission_denials`) and names them with deniedCall.
import { isObj, str, type Obj } from './json-fields.js';
import { summary } from './events.js';

/** At most this many refusals are kept per round: the pattern matters, not the full list. */
export const MAX_DENIALS = 20;
const ARG_MAX = 80;

/** `Tool(argument)`: the command, path or first text argument of the call, on one line and cut. */
export function deniedCall(tool: string, input: unknown, workDir: string | null = null): string {
  const i: Obj = isObj(input) ? input : {};
  let arg = str(i.command) ?? str(i.file_path) ?? str(i.path) ?? str(i.pattern) ?? str(i.url) ?? Object.values(i).find((v): v is string => typeof v === 'string') ?? '';
  if (workDir && arg.startsWith(`${workDir}/`)) arg = arg.slice(workDir.length + 1);
  const one = arg.replace(/\s+/g, ' ').trim();
  return summary(`${tool}(${one.length > ARG_MAX ? `${one.slice(0, ARG_MAX - 1)}…` : one})`);
}

/** Claude Code's result line: `permission_denials: [{tool_name, tool_use_id, tool_input}]`; paths shown from its cwd. */
export function claudeDenials(v: Obj, cwd: string | null): string[] {
  const list = Array.isArray(v.permission_denials) ? v.permission_denials.filter(isObj) : [];
  return list.slice(0, MAX_DENIALS).map((d) => deniedCall(str(d.tool_name) ?? 'tool', d.tool_input, cwd));
}

/**
 * Codex reports a refusal only in its stderr log, never in the JSON stream (measured with codex 0.171):
 * `… ERROR codex_core::tools::router: error=patch rejected: writing is blocked by read-only sandbox; rejected by
 * user approval settings` (apply_patch under a sandbox that forbids the write), and for a command its rules
 * (`prefix_rule(…, decision = "forbidden")`) forbid: `error=exec_command failed: CreateProcess { message:
 * "Rejected(\"`/bin/bash -lc \\\"git commit …\\\"` rejected: policy forbids commands starting with `git commit`\")" }`.
 */
export function codexDenial(line: string): string | null {
  if (!line.includes('codex_core::tools') || !line.includes('rejected')) return null;
  const patch = /error=patch rejected: (.*?); rejected by user approval settings/.exec(line);
  if (patch) return deniedCall('apply_patch', { reason: patch[1] });
  const cmd = /`(.+?)` rejected: /.exec(line);
  if (!cmd) return null;
  // the command, unquoted from Rust's Debug form (twice over), without the shell it was wrapped in
  const command = cmd[1].replace(/\\+"/g, '"');
  const inner = /^\S*\/?(?:ba|z)?sh -l?c "(.*)"$/.exec(command)?.[1] ?? command;
  return deniedCall('shell', { command: inner });
}

/**
 * Gemini CLI's built-in tools that need approval: headless without --yolo (or with them excluded) they are left
 * out of its tool registry, so a call of one is refused as `tool_not_registered`.
 */
const GEMINI_GATED_TOOLS: ReadonlySet<string> = new Set(['write_file', 'replace', 'run_shell_command', 'web_fetch', 'save_memory']);

/**
 * A Gemini CLI `tool_result` {status: "error", error: {type}} that is a refusal: `policy_violation` ("Tool execution
 * denied by policy.": a deny rule of its policy engine, or a hook that blocked the call), or `tool_not_registered`
 * for one of its gated tools (an invented tool name is the model's mistake, not a refusal).
 */
export function geminiRefused(errorType: string | null, tool: string): boolean {
  return errorType === 'policy_violation' || (errorType === 'tool_not_registered' && GEMINI_GATED_TOOLS.has(tool));
}
