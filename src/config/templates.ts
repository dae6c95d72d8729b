// Templates in a provider's api_key and base_url: ${env:VAR}, ${file:PATH}, ${key_command:CMD}. The
// syntax is checked at load (templateProblem); the values are read at each round (resolveTemplate), so a
// rotated key is picked up without a restart. A key command runs at most once per round (the cache is the
// round's), with a timeout; its output is never logged or put in an error: a failure says the command and
// how it ended, and the fix.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { ConfigError } from '../errors.js';
import { resolvePath } from './resolve.js';

const TEMPLATE = /\$\{([a-z_]+):([^}]*)\}/g;
const KINDS = ['env', 'file', 'key_command'];
export const KEY_COMMAND_TIMEOUT_S = 30;

/** Why the text's templates cannot be read, or null. */
export function templateProblem(text: string): string | null {
  for (const m of text.matchAll(TEMPLATE)) {
    if (!KINDS.includes(m[1])) return `\${${m[1]}:…} is not a template; use \${env:VAR}, \${file:PATH} or \${key_command:CMD}`;
    if (m[2].trim() === '') return `\${${m[1]}:} names nothing; write what to read after the colon`;
  }
  const rest = text.replace(TEMPLATE, '');
  if (rest.includes('${')) return 'has a "${" that is not a whole template; write ${env:VAR}, ${file:PATH} or ${key_command:CMD}';
  return null;
}

export interface TemplateContext {
  env: NodeJS.ProcessEnv;
  /** relative ${file:} paths resolve against it (the config file's directory) */
  baseDir: string;
  /** the round's key commands' outputs, by command: each runs at most once a round */
  cache: Map<string, Promise<string>>;
  timeoutS?: number;
}

/** The text with every template replaced by what it reads; a failure is a ConfigError naming `label` and the fix. */
export async function resolveTemplate(text: string, label: string, ctx: TemplateContext): Promise<string> {
  const parts: Array<string | Promise<string>> = [];
  let at = 0;
  for (const m of text.matchAll(TEMPLATE)) {
    parts.push(text.slice(at, m.index));
    parts.push(readOne(m[1], m[2], label, ctx));
    at = m.index + m[0].length;
  }
  parts.push(text.slice(at));
  return (await Promise.all(parts)).join('');
}

async function readOne(kind: string, arg: string, label: string, ctx: TemplateContext): Promise<string> {
  const fail = (why: string): never => {
    throw new ConfigError(`\`${label}\`: ${why}`);
  };
  if (kind === 'env') {
    const v = ctx.env[arg];
    if (v === undefined || v === '') fail(`\${env:${arg}}: ${arg} is not set in agent-runner's environment; set it (for serve: in its unit or shell), or use another template`);
    return v!;
  }
  if (kind === 'file') {
    const file = resolvePath(arg, ctx.baseDir, ctx.env);
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      fail(`\${file:${arg}}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}); create it (mode 600) or fix the path`);
    }
    const v = text.replace(/\r?\n$/, '');
    if (v === '') fail(`\${file:${arg}}: ${file} is empty; write the key in it`);
    return v;
  }
  let p = ctx.cache.get(arg);
  if (!p) {
    p = runKeyCommand(arg, ctx);
    ctx.cache.set(arg, p);
  }
  try {
    return await p;
  } catch (e) {
    return fail((e as Error).message);
  }
}

/** The command's stdout, trimmed of its last line break; its output never goes into an error. */
function runKeyCommand(cmd: string, ctx: TemplateContext): Promise<string> {
  const timeoutS = ctx.timeoutS ?? KEY_COMMAND_TIMEOUT_S;
  const fix = `run it yourself to see why, and fix it or the template`;
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`the key command \`${cmd}\` ${why}; ${fix}`));
    const child = spawn('/bin/sh', ['-c', cmd], { cwd: ctx.baseDir, env: ctx.env, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    const out: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 64 * 1024) out.push(c);
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      fail(`did not finish within ${timeoutS}s (killed)`);
    }, timeoutS * 1000);
    child.once('error', (e) => {
      clearTimeout(timer);
      fail(`could not start (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const v = Buffer.concat(out).toString('utf8').replace(/\r?\n$/, '');
      if (code !== 0) return fail(signal ? `was ended by ${signal}` : `exited ${code}`);
      if (size > 64 * 1024) return fail('printed more than 64 KiB, which is not a key');
      if (v === '' || v.includes('\n')) return fail(v === '' ? 'printed nothing' : 'printed more than one line');
      resolve(v);
    });
  });
}
