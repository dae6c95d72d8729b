// systemd units for a project, rendered from the templates in systemd/: pure (text in, text out), so every
// rule about names, quoting and timeouts is table-tested without a systemd.
import { EXIT, UserError } from '../errors.js';
import { sha256Hex } from '../util/crypto.js';

export type Scope = 'user' | 'system';

/** What a unit is rendered from: the parts of the validated config it names (system/ sits below config/). */
export interface UnitConfig {
  configPath: string;
  workDir: string;
  project: string;
  runtime: { round_timeout_s: number; kill_grace_s: number; state_dir: string };
  phases: { round_timeout_s?: number }[];
}
export type UnitRole = 'serve' | 'monitor';

/** systemd grew RestartSteps= and RestartMaxDelaySec= in 254; older ones warn about unknown keys. */
export const RESTART_STEPS_MIN_VERSION = 254;
/** Time after the longest round for serve's own bookkeeping (aftercare, ledger) before systemd's SIGKILL. */
export const STOP_MARGIN_S = 60;
/** The project part of a unit name is cut to this many characters before escaping (names max out at 255). */
const NAME_MAX = 48;

/** `systemd-escape` of a string (not --path): keeps [A-Za-z0-9:_.], '/' becomes '-', the rest \xNN. */
export function systemdEscape(s: string): string {
  let out = '';
  const bytes = Buffer.from(s, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const c = String.fromCharCode(b);
    if (c === '/') out += '-';
    else if (/[A-Za-z0-9:_]/.test(c) || (c === '.' && i > 0)) out += c;
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Short, stable hash of the state dir: two projects of the same name never share a unit. */
export function shortHash(stateDir: string): string {
  return sha256Hex(stateDir).slice(0, 8);
}

/** Unit names are agent-runner-<project>-<hash>.service and agent-runner-<project>-<hash>-monitor.service. */
export function unitName(project: string, stateDir: string, role: UnitRole): string {
  const cut = Array.from(project).slice(0, NAME_MAX).join('') || 'project';
  return `agent-runner-${systemdEscape(cut)}-${shortHash(stateDir)}${role === 'monitor' ? '-monitor' : ''}.service`;
}

/** The file-name suffix that identifies this state dir's units, whatever the project was called at install. */
export function unitSuffix(stateDir: string, role: UnitRole): string {
  return `-${shortHash(stateDir)}${role === 'monitor' ? '-monitor' : ''}.service`;
}

/** A name as it must be typed in a shell: quoted when it holds systemd's backslash escapes. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_.:/=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function noNewline(what: string, s: string): string {
  if (/[\n\r]/.test(s))
    throw new UserError(`${what} contains a line break, which a unit file cannot hold: ${JSON.stringify(s)}; fix it where it is set`, EXIT.CONFIG);
  return s;
}

/** A user name as `User=` takes it ($SUDO_USER, say): plain POSIX-style, so no specifier or space rides along. */
function userName(s: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/.test(s))
    throw new UserError(`the user to run as, ${JSON.stringify(s)}, is not a plain user name: run install from that user's own sudo`, EXIT.CONFIG);
  return s;
}

/** '%' starts a specifier in most unit settings. */
const specifiers = (s: string) => s.replace(/%/g, '%%');

/** One word of ExecStart=: specifiers and $ escaped, double-quoted (C escapes) when it holds space or quotes. */
export function execWord(s: string): string {
  noNewline('a command word', s);
  const e = specifiers(s).replace(/\$/g, '$$$$');
  if (e !== '' && !/[\s"'\\;]/.test(e)) return e;
  return `"${e.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Environment=NAME=value, quoted when the value needs it. */
export function envAssignment(name: string, value: string): string {
  noNewline(name, value);
  const e = specifiers(`${name}=${value}`);
  if (!/[\s"'\\]/.test(e)) return e;
  return `"${e.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The longest a round can run (runtime and every phase), plus its kill grace and the bookkeeping margin. */
export function stopTimeoutS(config: UnitConfig): number {
  const longest = Math.max(config.runtime.round_timeout_s, ...config.phases.map((p) => p.round_timeout_s ?? 0));
  return Math.ceil(longest + config.runtime.kill_grace_s + STOP_MARGIN_S);
}

/** Fill @KEY@ placeholders. A placeholder alone on its line may expand to nothing (the line goes) or several lines. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const used = new Set<string>();
  const out: string[] = [];
  for (const line of template.split('\n')) {
    const alone = /^@([A-Z_]+)@$/.exec(line);
    if (alone) {
      const v = values[alone[1]];
      if (v === undefined) throw new Error(`template placeholder @${alone[1]}@ has no value`);
      used.add(alone[1]);
      if (v !== '') out.push(v);
      continue;
    }
    out.push(
      line.replace(/@([A-Z_]+)@/g, (_, k: string) => {
        const v = values[k];
        if (v === undefined) throw new Error(`template placeholder @${k}@ has no value`);
        if (/\n/.test(v)) throw new Error(`@${k}@ is inline and cannot take several lines`);
        used.add(k);
        return v;
      }),
    );
  }
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`values not in the template: ${unused.join(', ')}`);
  return out.join('\n');
}

export interface UnitInputs {
  config: UnitConfig;
  scope: Scope;
  /** absolute: the Node binary and bin/agent-runner.js */
  node: string;
  script: string;
  /** PATH at install time */
  path: string;
  /** `systemctl --version`'s number, or null when unknown (the conservative keys only) */
  systemdVersion: number | null;
  /** for --system: the account serve runs as */
  user?: string;
}

export interface RenderedUnit {
  role: UnitRole;
  name: string;
  text: string;
}

/** Both units' text from their templates. Throws (a bug or an unrepresentable path) rather than write a bad unit. */
export function renderUnit(template: string, role: UnitRole, i: UnitInputs): RenderedUnit {
  const { config } = i;
  for (const [what, p] of [['node', i.node], ['script', i.script], ['config', config.configPath], ['work dir', config.workDir]] as const) {
    if (!p.startsWith('/')) throw new Error(`the ${what} path must be absolute: ${p}`);
  }
  if (i.scope === 'system' && !i.user) throw new Error('a system unit needs the user to run as');
  const name = unitName(config.project, config.runtime.state_dir, role);
  const steps = i.systemdVersion !== null && i.systemdVersion >= RESTART_STEPS_MIN_VERSION;
  const restartSteps = !steps ? '' : role === 'serve' ? 'RestartSteps=5\nRestartMaxDelaySec=300' : 'RestartSteps=3\nRestartMaxDelaySec=120';
  const journal = `journalctl${i.scope === 'user' ? ' --user' : ''} -u ${shellWord(name)}`;
  const values: Record<string, string> = {
    PROJECT: noNewline('project', config.project),
    WORK_DIR: noNewline('work dir', config.workDir),
    STATE_DIR: noNewline('state dir', config.runtime.state_dir),
    JOURNAL: journal,
    UNIT_EXTRA: i.scope === 'system' ? 'Wants=network-online.target\nAfter=network-online.target' : '',
    EXEC_START: [i.node, i.script, '--config', config.configPath, role].map(execWord).join(' '),
    WORK_DIR_ESC: specifiers(config.workDir),
    // Description= expands specifiers too: a project named "50%n" must not print the unit's name
    PROJECT_ESC: specifiers(config.project),
    PATH_ENV: envAssignment('PATH', i.path),
    IDENT: name.replace(/\.service$/, ''),
    USER: i.scope === 'system' ? `User=${userName(i.user!)}` : '',
    RESTART_STEPS: restartSteps,
    WANTED_BY: i.scope === 'system' ? 'multi-user.target' : 'default.target',
  };
  if (role === 'serve') values.TIMEOUT_STOP = String(stopTimeoutS(config));
  return { role, name, text: renderTemplate(template, values) };
}

/** Parse `systemctl --version`'s first line ("systemd 252 (252.38-1~deb12u1)"). */
export function parseSystemdVersion(out: string): number | null {
  const m = /^systemd (\d+)/m.exec(out);
  return m ? Number(m[1]) : null;
}

/** Parse `systemctl show -p A -p B` output (KEY=value lines). */
export function parseShow(out: string): Record<string, string> {
  const r: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) r[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return r;
}
