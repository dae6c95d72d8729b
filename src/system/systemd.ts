// The I/O edge to systemd: systemctl / loginctl calls (execFile, no shell, every call bounded), unit
// directories, and finding a project's installed units by their file. Rendering lives in units.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtin } from '../util/builtin.js';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { parseShow, parseSystemdVersion, shellWord, unitSuffix, type Scope, type UnitRole } from './units.js';
import { firstNonBlankLine } from '../util/text.js';

export const SYSTEM_UNIT_DIR = '/etc/systemd/system';
/**
 * systemd/ at the top of the package (build/src/system/systemd.js → ../../../systemd). Found when a unit is made:
 * in a bundle, import.meta.url is made on first use (~0.5 ms), and `status` loads this module at every start.
 */
const templateDir = () => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../systemd');
const CALL_TIMEOUT_MS = 30_000;

export function readTemplate(role: UnitRole): string {
  return fs.readFileSync(path.join(templateDir(), `agent-runner-${role}.service.in`), 'utf8');
}

/** Where systemd --user looks for the user's own units. */
export function userUnitDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.config');
  return path.join(base, 'systemd', 'user');
}

export function unitDir(scope: Scope): string {
  return scope === 'user' ? userUnitDir() : SYSTEM_UNIT_DIR;
}

export interface CallResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function call(cmd: string, args: string[], timeoutMs = CALL_TIMEOUT_MS): CallResult {
  // child_process takes ~3.5 ms to load (it pulls in net): `status` needs it only when a unit is installed
  const { spawnSync } = builtin<typeof import('node:child_process')>('node:child_process');
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return { code: 127, stdout: '', stderr: `${cmd}: not found` };
  const timedOut = r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  return { code: timedOut ? null : r.status, stdout: r.stdout ?? '', stderr: timedOut ? `${cmd} did not answer within ${timeoutMs / 1000}s` : (r.stderr ?? '') };
}

export function systemctl(scope: Scope, args: string[], timeoutMs?: number): CallResult {
  return call('systemctl', scope === 'user' ? ['--user', ...args] : args, timeoutMs);
}

export const scopeFlag = (scope: Scope) => (scope === 'user' ? ' --user' : '');
export const journalHint = (scope: Scope, unit: string) => `journalctl${scopeFlag(scope)} -u ${shellWord(unit)}`;

/** systemctl that must succeed: a failure is one line naming the call and systemd's reason. */
export function mustCall(scope: Scope, args: string[], timeoutMs?: number): void {
  const r = systemctl(scope, args, timeoutMs);
  if (r.code !== 0) {
    throw new UserError(`systemctl${scopeFlag(scope)} ${args.join(' ')} failed: ${firstNonBlankLine(r.stderr) || `exit ${r.code}`}`);
  }
}

/** systemctl's version number, or null when systemctl is missing or says something unexpected. */
export function systemdVersion(): number | null {
  const r = call('systemctl', ['--version']);
  return r.code === 0 ? parseSystemdVersion(r.stdout) : null;
}

/** null when the manager answers; else why not (one line). */
export function managerProblem(scope: Scope): string | null {
  const r = systemctl(scope, ['show-environment'], 10_000);
  return r.code === 0 ? null : firstNonBlankLine(r.stderr) || `systemctl exited ${r.code}`;
}

/** true / false from logind, or null when logind cannot be asked. */
export function lingerEnabled(user: string): boolean | null {
  const r = call('loginctl', ['show-user', '-p', 'Linger', '--', user], 10_000); // $SUDO_USER is not ours to trust: never an option
  const v = parseShow(r.stdout).Linger;
  return r.code === 0 && v ? v === 'yes' : null;
}

export function currentUser(): string {
  return process.env.SUDO_USER || os.userInfo().username;
}

export interface UnitView {
  ActiveState: string;
  SubState: string;
  NRestarts: number | null;
  Result: string;
  MainPID: number;
  ExecMainStatus: number | null;
  LoadState: string;
}

const SHOW_PROPS = ['ActiveState', 'SubState', 'NRestarts', 'Result', 'MainPID', 'ExecMainStatus', 'LoadState'];

/** systemd's view of a unit; throws with systemctl's own one line when it cannot be asked. */
export function showUnit(scope: Scope, unit: string): UnitView {
  const r = systemctl(scope, ['show', ...SHOW_PROPS.flatMap((p) => ['-p', p]), '--', unit], 10_000);
  if (r.code !== 0) throw new Error(firstNonBlankLine(r.stderr) || `systemctl show exited ${r.code}`);
  const p = parseShow(r.stdout);
  const num = (s: string | undefined) => (s !== undefined && s !== '' && Number.isFinite(Number(s)) ? Number(s) : null);
  return {
    ActiveState: p.ActiveState ?? 'unknown',
    SubState: p.SubState ?? 'unknown',
    NRestarts: num(p.NRestarts),
    Result: p.Result ?? 'unknown',
    MainPID: num(p.MainPID) ?? 0,
    ExecMainStatus: num(p.ExecMainStatus),
    LoadState: p.LoadState ?? 'unknown',
  };
}

export interface InstalledUnit {
  scope: Scope;
  role: UnitRole;
  name: string;
  file: string;
}

/** This state dir's unit files, found by the hash suffix of their names (user units first). */
export function findInstalledUnits(stateDir: string): InstalledUnit[] {
  const found: InstalledUnit[] = [];
  for (const scope of ['user', 'system'] as const) {
    const dir = unitDir(scope);
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.startsWith('agent-runner-'));
    } catch {
      continue;
    }
    // no unit of ours here: no suffix to make (its hash loads node:crypto, a cost at every `status`)
    if (names.length === 0) continue;
    for (const role of ['serve', 'monitor'] as const) {
      const suffix = unitSuffix(stateDir, role);
      for (const n of names) {
        if (n.endsWith(suffix)) found.push({ scope, role, name: n, file: path.join(dir, n) });
      }
    }
  }
  return found;
}

/** The serve unit that `start` / `stop` / `status` should go through, if one is installed. */
export function installedServeUnit(stateDir: string): InstalledUnit | null {
  return findInstalledUnits(stateDir).find((u) => u.role === 'serve') ?? null;
}
