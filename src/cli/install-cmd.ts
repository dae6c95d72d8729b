// `install` / `uninstall`: serve (and optionally the monitor) as systemd units. Starting and stopping serve
// through its unit (what `start` / `stop` / `restart` use once a unit is installed) is serve/unit-control.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadContext, loadObserverContext } from '../config/context.js';
import { EXIT, UserError } from '../errors.js';
import { liveHolder } from '../state/lock.js';
import { confirmServeUnit } from '../serve/unit-control.js';
import { lastRoundBefore } from '../serve/confirm-up.js';
import { sleepFor } from '../util/sleep.js';
import { renderUnit, shellWord, type RenderedUnit, type Scope, type UnitRole } from '../system/units.js';
import {
  currentUser,
  findInstalledUnits,
  lingerEnabled,
  managerProblem,
  readTemplate,
  showUnit,
  systemctl,
  journalHint,
  mustCall,
  scopeFlag,
  systemdVersion,
  unitDir,
  type InstalledUnit,
} from '../system/systemd.js';
import { firstNonBlankLine } from '../util/text.js';
import { removeIfPresent } from '../state/files.js';

/** bin/agent-runner.js of this very package (build/src/cli/install-cmd.js → ../../../bin) */
const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/agent-runner.js');
const MONITOR_SETTLE_MS = 2_000;

function writeUnitFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text, { mode: 0o644 });
  fs.renameSync(tmp, file);
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
  const holder = liveHolder(paths.lock)?.pid ?? null;
  if (holder !== null) {
    const underUnit = servePrev ? showUnit(scope, servePrev.name).MainPID === holder : false;
    if (!underUnit) throw new UserError(`serve is running (pid ${holder}) outside systemd; \`agent-runner stop\` it first, then install`);
  }

  const lastBefore = lastRoundBefore(paths);
  for (const u of units) writeUnitFile(path.join(dir, u.name), u.text);
  mustCall(scope, ['daemon-reload']);
  for (const u of units) mustCall(scope, ['enable', '--now', '--', u.name], 60_000);

  const serve = units[0];
  const why = await confirmServeUnit({ scope, name: serve.name }, paths, lastBefore);
  let code: number = EXIT.OK;
  if (why) {
    process.stderr.write(`agent-runner: installed, but serve did not stay up: ${why}\n`);
    code = EXIT.FAILURE;
  } else {
    process.stdout.write(`installed ${serve.name} (${path.join(dir, serve.name)}): serve running, pid ${showUnit(scope, serve.name).MainPID}\n`);
  }
  const monitor = units.find((u) => u.role === 'monitor');
  if (monitor) {
    await sleepFor(MONITOR_SETTLE_MS);
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
    if (stop.code !== 0) process.stderr.write(`agent-runner: warning: stopping ${u.name}: ${firstNonBlankLine(stop.stderr) || `exit ${stop.code}`}\n`);
    mustCall(u.scope, ['disable', '--', u.name]);
  }
  for (const u of units) {
    removeIfPresent(u.file);
    process.stdout.write(`removed ${u.name} (${u.file})\n`);
  }
  for (const [scope, ok] of reachable) {
    if (!ok) continue;
    mustCall(scope, ['daemon-reload']);
    for (const u of units.filter((x) => x.scope === scope)) systemctl(scope, ['reset-failed', '--', u.name], 10_000);
  }
  return EXIT.OK;
}
