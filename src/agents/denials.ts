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
