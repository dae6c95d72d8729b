// `install` / `uninstall`: serve (and optionally the monitor) as systemd units, and starting serve
// through its unit (what `start` / `restart` use once a unit is installed).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadContext, loadObserverContext } from './context.js';
import { EXIT, UserError } from './exit-codes.js';
import { holderAlive, readLock } from '../state/lock.js';
import type { StatePaths } from '../state/paths.js';
import { monoMs } from '../util/clock.js';
import { renderUnit, shellWord, type RenderedUnit, type Scope, type UnitRole } from '../system/units.js';
import {
  currentUser,
  findInstalledUnits,
  firstLine,
  lingerEnabled,
  managerProblem,
  readTemplate,
  showUnit,
  systemctl,
  systemdVersion,
  unitDir,
  type InstalledUnit,
} from '../system/systemd.js';

/** bin/agent-runner.js of this very package (build/src/cli/install-cmd.js → ../../../bin) */
const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/agent-runner.js');
const CONFIRM_MS = 15_000;
const MONITOR_SETTLE_MS = 2_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const scopeFlag = (scope: Scope) => (scope === 'user' ? ' --user' : '');
const journalHint = (scope: Scope, unit: string) => `journalctl${scopeFlag(scope)} -u ${shellWord(unit)}`;

function liveHolderPid(paths: StatePaths): number | null {
  const h = readLock(paths.lock);
  return h && holderAlive(h) ? h.pid : null;
}

function mustCall(scope: Scope, args: string[], timeoutMs?: number): void {
  const r = systemctl(scope, args, timeoutMs);
  if (r.code !== 0) {
    throw new UserError(`systemctl${scopeFlag(scope)} ${args.join(' ')} failed: ${firstLine(r.stderr) || `exit ${r.code}`}`);
  }
}

function writeUnitFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text, { mode: 0o644 });
  fs.renameSync(tmp, file);
}

/**
 * Waits until serve runs under the unit: active, and the project lock held by the unit's main process.
 * Returns null when it does, or why not (one line, with where to look).
 */
export async function confirmServeUnit(u: { scope: Scope; name: string }, paths: StatePaths, timeoutMs = CONFIRM_MS): Promise<string | null> {
  const end = monoMs() + timeoutMs; // a bound, not a moment: the monotonic clock (src/util/clock.ts)
  let v = showUnit(u.scope, u.name);
  while (monoMs() < end) {
    v = showUnit(u.scope, u.name);
    if (v.ActiveState === 'active' && v.MainPID > 0 && liveHolderPid(paths) === v.MainPID) return null;
    const down = v.ActiveState === 'failed' || v.ActiveState === 'inactive' || v.SubState === 'auto-restart';
    if (down) break;
    await sleep(100);
  }
  const exit = v.ExecMainStatus === null ? '' : `, exit ${v.ExecMainStatus}`;
  return `${u.name} is ${v.ActiveState} (${v.SubState}${exit}, result ${v.Result}); see \`${journalHint(u.scope, u.name)}\``;
}

/** `start` with a unit installed: systemd starts serve, so it keeps its restart policy and its logs. */
export async function startServeUnit(u: InstalledUnit, paths: StatePaths): Promise<number> {
  mustCall(u.scope, ['start', '--', u.name], 60_000);
  const why = await confirmServeUnit(u, paths);
  if (why) throw new UserError(`serve did not stay up under systemd: ${why}`);
  process.stdout.write(`started ${u.name} (serve pid ${showUnit(u.scope, u.name).MainPID}); logs: ${journalHint(u.scope, u.name)}\n`);
  return EXIT.OK;
}

/** Asks systemd to stop the unit without waiting for it (the caller waits for serve itself, with its own bound). */
export function requestUnitStop(u: InstalledUnit): { mainPid: number } {
  let mainPid = 0;
  try {
    mainPid = showUnit(u.scope, u.name).MainPID;
  } catch {
    /* systemd not reachable: the caller still signals serve itself */
  }
  systemctl(u.scope, ['stop', '--no-block', '--', u.name], 10_000);
  return { mainPid };
}

/** Bounded wait until systemd no longer counts the unit as running or stopping. */
export async function waitUnitDown(u: InstalledUnit, timeoutMs = 10_000): Promise<void> {
  const end = monoMs() + timeoutMs;
  while (monoMs() < end) {
    try {
      const s = showUnit(u.scope, u.name).ActiveState;
      if (s !== 'active' && s !== 'deactivating' && s !== 'activating' && s !== 'reloading') return;
    } catch {
      return;
    }
    await sleep(100);
  }
}

export interface InstallOptions {
  config?: string;
  monitor: boolean;
  system: boolean;
  dryRun: boolean;
}

export async function installCommand(o: InstallOptions): Promise<number> {
  const { config, paths } = loadContext(o.config);
  const scope: Scope = o.system ? 'system' : 'user';
  const version = systemdVersion();
  if (version === null && !o.dryRun) throw new UserError('systemctl is missing or did not answer: install needs systemd');
  const user = currentUser();
  const roles: UnitRole[] = o.monitor ? ['serve', 'monitor'] : ['serve'];
  const units: RenderedUnit[] = roles.map((role) =>
    renderUnit(readTemplate(role), role, {
      config,
      scope,
      node: process.execPath,
      script: SCRIPT,
      path: process.env.PATH || '/usr/local/bin:/usr/bin:/bin',
      systemdVersion: version,
      user: scope === 'system' ? user : undefined,
    }),
  );
  const dir = unitDir(scope);

  if (o.dryRun) {
    for (const u of units) process.stdout.write(`# ${path.join(dir, u.name)}\n${u.text}\n`);
    process.stdout.write(
      `# then: systemctl${scopeFlag(scope)} daemon-reload && systemctl${scopeFlag(scope)} enable --now ${units.map((u) => shellWord(u.name)).join(' ')}\n`,
    );
    return EXIT.OK;
  }

  if (scope === 'system' && process.getuid?.() !== 0) {
    throw new UserError(`--system writes ${dir}: run it as root (sudo agent-runner install --system)`);
  }
  const problem = managerProblem(scope);
  if (problem) {
    throw new UserError(
      scope === 'user'
        ? `no systemd user manager to talk to (${problem}); log in to a session of ${user} that has one, or install a system unit: sudo agent-runner install --system`
        : `the system manager does not answer (${problem})`,
    );
  }
  const installed = findInstalledUnits(paths.dir);
  const other = installed.find((u) => u.scope !== scope);
  if (other) {
    throw new UserError(`this project already has a ${other.scope} unit (${other.name}); \`agent-runner uninstall\` it first`);
  }
  const servePrev = installed.find((u) => u.role === 'serve');
  const holder = liveHolderPid(paths);
  if (holder !== null) {
    const underUnit = servePrev ? showUnit(scope, servePrev.name).MainPID === holder : false;
    if (!underUnit) throw new UserError(`serve is running (pid ${holder}) outside systemd; \`agent-runner stop\` it first, then install`);
  }

  for (const u of units) writeUnitFile(path.join(dir, u.name), u.text);
  mustCall(scope, ['daemon-reload']);
  for (const u of units) mustCall(scope, ['enable', '--now', '--', u.name], 60_000);

  const serve = units[0];
  const why = await confirmServeUnit({ scope, name: serve.name }, paths);
  let code: number = EXIT.OK;
  if (why) {
    process.stderr.write(`agent-runner: installed, but serve did not stay up: ${why}\n`);
    code = EXIT.FAILURE;
  } else {
    process.stdout.write(`installed ${serve.name} (${path.join(dir, serve.name)}): serve running, pid ${showUnit(scope, serve.name).MainPID}\n`);
  }
  const monitor = units.find((u) => u.role === 'monitor');
  if (monitor) {
    await sleep(MONITOR_SETTLE_MS);
    const v = showUnit(scope, monitor.name);
    if (v.ActiveState === 'active') process.stdout.write(`installed ${monitor.name}: monitor running, pid ${v.MainPID}\n`);
    else {
      process.stderr.write(
        `agent-runner: installed ${monitor.name}, but it is ${v.ActiveState} (${v.SubState}, result ${v.Result}); see \`${journalHint(scope, monitor.name)}\`\n`,
      );
      code = EXIT.FAILURE;
    }
  }
  process.stdout.write(`logs: ${journalHint(scope, serve.name)}\n`);
  if (scope === 'user') {
    const linger = lingerEnabled(user);
    if (linger !== true) {
      process.stdout.write(
        `${linger === false ? `linger is off for ${user}` : `could not ask logind whether linger is on for ${user}`}: ` +
          `without it the units stop at logout and do not start at boot; turn it on with: loginctl enable-linger ${shellWord(user)}\n`,
      );
    }
  }
  return code;
}

/** The unit's TimeoutStopSec from its file: how long a graceful stop may take. */
function stopBoundMs(file: string): number {
  try {
    const m = /^TimeoutStopSec=(\d+)$/m.exec(fs.readFileSync(file, 'utf8'));
    if (m) return (Number(m[1]) + 30) * 1000;
  } catch {
    /* gone already */
  }
  return 120_000;
}

export async function uninstallCommand(o: { config?: string }): Promise<number> {
  const { paths, project } = loadObserverContext(o.config);
  // the monitor first, so it does not act on serve going away
  const units = findInstalledUnits(paths.dir).sort((a, b) => (a.role === b.role ? 0 : a.role === 'monitor' ? -1 : 1));
  if (units.length === 0) {
    process.stdout.write(`no systemd unit is installed for ${project}\n`);
    return EXIT.OK;
  }
  if (units.some((u) => u.scope === 'system') && process.getuid?.() !== 0) {
    throw new UserError(`${project} has a system unit: run uninstall as root (sudo agent-runner uninstall)`);
  }
  const reachable = new Map<Scope, boolean>();
  for (const u of units) {
    if (!reachable.has(u.scope)) {
      const problem = managerProblem(u.scope);
      if (problem) process.stderr.write(`agent-runner: warning: systemd${scopeFlag(u.scope)} does not answer (${problem}); removing the unit files only\n`);
      reachable.set(u.scope, !problem);
    }
    if (!reachable.get(u.scope)) continue;
    const active = showUnit(u.scope, u.name).ActiveState;
    if (active !== 'inactive' && active !== 'failed') {
      process.stdout.write(`stopping ${u.name}${u.role === 'serve' ? ' (a round in progress finishes first)' : ''}\n`);
    }
    const stop = systemctl(u.scope, ['stop', '--', u.name], stopBoundMs(u.file));
    if (stop.code !== 0) process.stderr.write(`agent-runner: warning: stopping ${u.name}: ${firstLine(stop.stderr) || `exit ${stop.code}`}\n`);
    mustCall(u.scope, ['disable', '--', u.name]);
  }
  for (const u of units) {
    fs.rmSync(u.file, { force: true });
    process.stdout.write(`removed ${u.name} (${u.file})\n`);
  }
  for (const [scope, ok] of reachable) {
    if (!ok) continue;
    mustCall(scope, ['daemon-reload']);
    for (const u of units.filter((x) => x.scope === scope)) systemctl(scope, ['reset-failed', '--', u.name], 10_000);
  }
  return EXIT.OK;
}
