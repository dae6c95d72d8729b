// install / uninstall and the lifecycle verbs under a real systemd (a sandboxed one: see
// test/helpers/systemd-sandbox.ts). One boot shared by every case; the sandbox is always stopped.
// If the sandbox cannot start, the test fails (it never skips).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startSandbox, type Sandbox } from '../helpers/systemd-sandbox.js';
import { makeProject, type Project } from '../helpers/project.js';
import { CLI, sleep, waitFor, waitUntil } from '../helpers/env.js';
import { parseShow } from '../../src/system/units.js';
import { readLock } from '../../src/state/lock.js';
import type { OpenRound } from '../../src/state/types.js';

/** RestartSec of the serve unit (systemd/agent-runner-serve.service.in) and a margin: long enough to see a restart */
const STAYS_DOWN_MS = 5_000 + 3_000;

/**
 * "The unit stays down": a restart would come RestartSec after the exit, so the test lets that much time
 * pass and then looks. Nothing to poll for: the passing of time is the point.
 */
const restartWindow = () => sleep(STAYS_DOWN_MS);

/**
 * The agent: a second's work. While the file `hold` exists it waits, after saying "held", until serve is
 * asked to stop (a stop_requested event more than at its start) or the file goes: the round the test
 * sees in flight is the one still in flight when its stop or kill lands, however slow the machine.
 */
function agent(hold: string): string[] {
  const script = `
    ev="$AGENT_RUNNER_STATE_DIR/events.jsonl"; stops() { grep -c stop_requested "$ev" 2>/dev/null; }
    s0=$(stops); echo working
    if [ -e "$1" ]; then echo held; while [ -e "$1" ] && [ "$(stops)" = "$s0" ]; do sleep 0.1; done; fi
    sleep 1; echo done`;
  return ['bash', '-c', script, 'agent', hold];
}

test('install / uninstall under a real systemd', { timeout: 420_000 }, async (t) => {
  const sb: Sandbox = await startSandbox();
  try {
    const work = path.join(sb.base, 'work');
    fs.mkdirSync(work);
    const hold = path.join(work, 'hold');
    const p: Project = makeProject({ baseDir: work, command: agent(hold), timeout: 30, grace: 1, restartDelay: 0 });
    const userDir = path.join(sb.home, '.config', 'systemd', 'user');
    const cli = (...args: string[]) => sb.exec([process.execPath, CLI, '--config', p.configPath, ...args], { cwd: p.dir, timeoutMs: 120_000 });
    const show = (unit: string, scope: 'user' | 'system' = 'user') =>
      parseShow(
        sb.exec(['systemctl', ...(scope === 'user' ? ['--user'] : []), 'show', '-p', 'ActiveState,SubState,NRestarts,Result,MainPID,ExecMainStatus,LoadState', '--', unit]).stdout,
      );
    const holder = () => {
      const h = readLock(path.join(p.stateDir, 'lock'));
      return h && sb.exec(['kill', '-0', String(h.pid)]).code === 0 ? h.pid : null;
    };
    const openRound = (): OpenRound | null => {
      try {
        return JSON.parse(fs.readFileSync(path.join(p.stateDir, 'round.open.json'), 'utf8')) as OpenRound;
      } catch {
        return null;
      }
    };
    /** a round held by the agent (see agent()): in flight until released */
    const heldRound = async (): Promise<OpenRound> => {
      fs.writeFileSync(hold, '');
      const log = (n: number) => {
        try {
          return fs.readFileSync(path.join(p.stateDir, 'rounds', `${n}.log`), 'utf8');
        } catch {
          return '';
        }
      };
      let open: OpenRound | null = null;
      await waitUntil(() => (open = openRound()) !== null && open.pid != null && log(open.n).includes('held'), {
        timeoutMs: 30_000,
        what: 'a round held in flight',
        detail: () => JSON.stringify(openRound()),
      });
      return open!;
    };
    let serveUnit = '';
    let monitorUnit = '';

    await t.test('install --monitor: both units written, verified, enabled; serve runs rounds under systemd', async () => {
      const r = cli('install', '--monitor');
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const files = fs.readdirSync(userDir).filter((f) => f.startsWith('agent-runner-'));
      serveUnit = files.find((f) => !f.endsWith('-monitor.service'))!;
      monitorUnit = files.find((f) => f.endsWith('-monitor.service'))!;
      assert.ok(serveUnit && monitorUnit, `unit files: ${files}`);
      assert.match(r.stdout, new RegExp(`installed ${serveUnit.replace(/[.\\]/g, '\\$&')}.*serve running`));
      for (const u of [serveUnit, monitorUnit]) {
        const v = sb.exec(['systemd-analyze', '--user', 'verify', path.join(userDir, u)]);
        assert.equal(v.code, 0, v.stderr);
        assert.equal(v.stderr.trim(), '', `${u} warns:\n${v.stderr}`);
        assert.equal(sb.systemctl('is-enabled', u).stdout.trim(), 'enabled');
      }
      assert.equal(show(serveUnit).ActiveState, 'active');
      assert.equal(show(monitorUnit).ActiveState, 'active', 'the monitor runs under systemd too');
      assert.equal(holder(), Number(show(serveUnit).MainPID), 'serve holds the lock as the unit\'s main process');
      assert.ok(await waitFor(() => p.rounds().some((x) => x.outcome === 'ok'), 30_000), 'a round ran under systemd');
      const st = JSON.parse(cli('status', '--json').stdout);
      assert.equal(st.systemd.unit, serveUnit);
      assert.equal(st.systemd.scope, 'user');
      assert.equal(st.systemd.active_state, 'active');
      assert.equal(st.systemd.sub_state, 'running');
      assert.equal(st.systemd.n_restarts, 0);
      assert.equal(st.systemd.main_pid, holder());
      assert.equal(show(monitorUnit).ActiveState, 'active', 'the monitor is still up after serve\'s rounds');
    });

    await t.test('stop: serve records the round in flight, the unit goes down and stays down; start brings it back', async () => {
      const { n } = await heldRound();
      const r = cli('stop');
      fs.rmSync(hold, { force: true });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`stopped; round ${n}: ok`));
      assert.equal(p.rounds().find((x) => x.n === n)?.outcome, 'ok', 'the round was finished and recorded');
      assert.equal(p.rounds().at(-1)?.n, n, 'no round after it');
      assert.equal(show(serveUnit).ActiveState, 'inactive');
      await restartWindow();
      assert.equal(show(serveUnit).ActiveState, 'inactive', 'no restart after a stop');
      assert.equal(holder(), null);

      const s = cli('start');
      assert.equal(s.code, 0, s.stdout + s.stderr);
      assert.match(s.stdout, /started .*serve pid \d+/);
      assert.equal(show(serveUnit).ActiveState, 'active');
      assert.equal(holder(), Number(show(serveUnit).MainPID));

      const before = Number(show(serveUnit).MainPID);
      const rs = cli('restart');
      assert.equal(rs.code, 0, rs.stdout + rs.stderr);
      const after = Number(show(serveUnit).MainPID);
      assert.ok(after > 0 && after !== before, 'restart went through systemd: a new main process');
      assert.equal(holder(), after);
    });

    await t.test('kill -9 of serve: systemd restarts it; the round is recorded aborted and nothing of it is left', async (tt) => {
      tt.after(() => fs.rmSync(hold, { force: true })); // the new serve's rounds run free again
      const open = await heldRound();
      const main = Number(show(serveUnit).MainPID);
      const restartsBefore = Number(show(serveUnit).NRestarts);
      assert.equal(sb.exec(['kill', '-9', String(main)]).code, 0);
      const back = await waitFor(() => {
        const v = show(serveUnit);
        return v.ActiveState === 'active' && Number(v.MainPID) !== main && holder() === Number(v.MainPID);
      }, 30_000, 200);
      assert.ok(back, `serve came back: ${JSON.stringify(show(serveUnit))}`);
      assert.equal(Number(show(serveUnit).NRestarts), restartsBefore + 1);
      assert.ok(await waitFor(() => p.rounds().some((x) => x.n === open.n), 10_000));
      assert.equal(p.rounds().find((x) => x.n === open.n)!.outcome, 'aborted');
      assert.notEqual(sb.exec(['kill', '-0', String(open.pid)]).code, 0, 'the agent of the killed round is gone');
      assert.equal(sb.exec(['pgrep', '-s', String(open.pid)]).code, 1, 'no process left in its session');
    });

    await t.test('a stop file ends serve and the unit stays down', async () => {
      fs.writeFileSync(path.join(p.stateDir, 'STOP'), '');
      assert.ok(await waitFor(() => show(serveUnit).ActiveState === 'inactive', 20_000, 200), 'serve stopped on the stop file');
      assert.equal(show(serveUnit).Result, 'success');
      await restartWindow();
      assert.equal(show(serveUnit).ActiveState, 'inactive');
      assert.equal(holder(), null);
    });

    await t.test('--max-rounds (a drop-in on the unit) ends serve and the unit stays down', async () => {
      const dropDir = path.join(userDir, `${serveUnit}.d`);
      fs.mkdirSync(dropDir);
      const exec = fs.readFileSync(path.join(userDir, serveUnit), 'utf8').match(/^ExecStart=(.*)$/m)![1];
      fs.writeFileSync(path.join(dropDir, 'max.conf'), `[Service]\nExecStart=\nExecStart=${exec} --max-rounds 1\n`);
      try {
        assert.equal(sb.systemctl('daemon-reload').code, 0);
        const roundsBefore = p.rounds().length;
        assert.equal(sb.systemctl('start', serveUnit).code, 0);
        assert.ok(await waitFor(() => show(serveUnit).ActiveState === 'inactive', 30_000, 200), 'serve ended after one round');
        assert.equal(show(serveUnit).Result, 'success');
        assert.equal(p.rounds().length, roundsBefore + 1);
        await restartWindow();
        assert.equal(show(serveUnit).ActiveState, 'inactive');
        assert.equal(p.rounds().length, roundsBefore + 1, 'no round after --max-rounds');
      } finally {
        fs.rmSync(dropDir, { recursive: true, force: true });
        sb.systemctl('daemon-reload');
      }
    });

    await t.test('a broken config: exit 78, and systemd does not restart it', async () => {
      const good = fs.readFileSync(p.configPath, 'utf8');
      // valid TOML, invalid config: status can still read the state dir from it
      fs.writeFileSync(p.configPath, good.replace(/^round_timeout_s = .*$/m, 'round_timeout_s = "soon"'));
      try {
        assert.equal(cli('start').code, 78, '`start` refuses a broken config before asking systemd');
        assert.equal(sb.systemctl('start', serveUnit).code, 0);
        assert.ok(await waitFor(() => show(serveUnit).ActiveState === 'failed', 20_000, 200), JSON.stringify(show(serveUnit)));
        assert.equal(show(serveUnit).ExecMainStatus, '78');
        const restarts = show(serveUnit).NRestarts;
        await restartWindow();
        const v = show(serveUnit);
        assert.equal(v.ActiveState, 'failed');
        assert.equal(v.NRestarts, restarts, 'not restarted');
        const st = JSON.parse(cli('status', '--json').stdout);
        assert.equal(st.systemd.active_state, 'failed');
        assert.equal(st.systemd.result, 'exit-code');
      } finally {
        fs.writeFileSync(p.configPath, good);
      }
    });

    await t.test('uninstall stops, disables and removes the units; a second run is fine', async () => {
      const s = cli('start');
      assert.equal(s.code, 0, s.stdout + s.stderr);
      const r = cli('uninstall');
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`removed ${serveUnit.replace(/[.\\]/g, '\\$&')}`));
      assert.deepEqual(fs.readdirSync(userDir).filter((f) => f.startsWith('agent-runner-')), []);
      assert.equal(show(serveUnit).LoadState, 'not-found');
      assert.equal(show(monitorUnit).LoadState, 'not-found');
      assert.equal(holder(), null);
      assert.equal(sb.exec(['pgrep', '-f', CLI]).code, 1, 'no agent-runner process left');
      const again = cli('uninstall');
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /no systemd unit is installed/);
      const st = JSON.parse(cli('status', '--json').stdout);
      assert.equal(st.systemd, null);
    });

    await t.test('install --system: a system unit with User=, then uninstall', async () => {
      const r = cli('install', '--system');
      assert.equal(r.code, 0, r.stdout + r.stderr + sb.exec(['journalctl', '--no-pager', '-n', '30']).stdout);
      const files = fs.readdirSync(path.join(sb.base, 'etc-system')).filter((f) => f.startsWith('agent-runner-'));
      assert.equal(files.length, 1, `${files}`);
      const file = path.join(sb.base, 'etc-system', files[0]);
      assert.match(fs.readFileSync(file, 'utf8'), /^User=root$/m);
      const v = sb.exec(['systemd-analyze', 'verify', `/etc/systemd/system/${files[0]}`]);
      assert.equal(v.stderr.trim(), '', v.stderr);
      assert.equal(show(files[0], 'system').ActiveState, 'active');
      assert.equal(JSON.parse(cli('status', '--json').stdout).systemd.scope, 'system');
      const u = cli('uninstall');
      assert.equal(u.code, 0, u.stdout + u.stderr);
      assert.ok(!fs.existsSync(file));
      assert.equal(show(files[0], 'system').LoadState, 'not-found');
      assert.equal(holder(), null);
    });
  } finally {
    await sb.stop();
  }
});

test('install without a user bus: one line naming the way out (--system); --dry-run still prints the units', () => {
  const p = makeProject();
  const noBus = { XDG_RUNTIME_DIR: '/nonexistent-ar', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent-ar/bus' };
  const r = p.run(['install'], noBus);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /no systemd user manager.*install --system/);
  const d = p.run(['install', '--dry-run', '--monitor'], noBus);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /^ExecStart=.* serve$/m);
  assert.match(d.stdout, /^ExecStart=.* monitor$/m);
  assert.match(d.stdout, /enable --now/);
  const u = p.run(['uninstall'], noBus);
  assert.equal(u.code, 0, u.stderr);
  const which = spawnSync('systemctl', ['--version']);
  assert.equal(which.status, 0, 'systemctl is installed (the systemd package)');
});
