// 7. Idle cost: RSS and CPU of `serve` waiting out a long restart delay (and of `monitor`, once it
// exists), against an idle Node process. 8. Monitor poll cost.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { CLI, REPO_ROOT, benchEnv, cpuMs, rssMb, sleep, stats, tmpDir, waitFor } from '../lib/measure.js';
import { makeProject, removeProject } from '../lib/project.js';
import { failed, fmt, notMeasured, verdict, type BenchOptions, type Row } from '../lib/row.js';

export function monitorBuilt(): boolean {
  return fs.existsSync(path.join(REPO_ROOT, 'build', 'src', 'cli', 'monitor-cmd.js'));
}

interface Idle {
  rss: number[];
  cpuMs: number;
  wallMs: number;
}

/** Samples a process once a second for `ms`: RSS each time, CPU over the whole window. */
async function watchIdle(pid: number, ms: number): Promise<Idle> {
  const c0 = cpuMs(pid);
  const t0 = performance.now();
  if (c0 === null) throw new Error(`pid ${pid} is gone`);
  const rss: number[] = [];
  while (performance.now() - t0 < ms) {
    const r = rssMb(pid);
    if (r === null) throw new Error(`pid ${pid} exited while idle`);
    rss.push(r);
    await sleep(Math.min(1000, Math.max(1, ms - (performance.now() - t0))));
  }
  const c1 = cpuMs(pid);
  if (c1 === null) throw new Error(`pid ${pid} exited while idle`);
  return { rss, cpuMs: c1 - c0, wallMs: performance.now() - t0 };
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGTERM');
  await Promise.race([gone, sleep(10_000)]);
  if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

function idleRow(measure: string, subject: Idle, floor: Idle, note?: string): Row {
  const cpuPct = (subject.cpuMs / subject.wallMs) * 100;
  const floorPct = (floor.cpuMs / floor.wallMs) * 100;
  const rss = stats(subject.rss);
  // "near zero": under 0.1% of one core, i.e. < 60 ms of CPU a minute (timers, not busy polling)
  const ok = rss.max <= 60 && cpuPct < 0.1;
  return {
    section: 7,
    measure,
    value: `RSS ${fmt(rss, 'MB')}; CPU ${subject.cpuMs.toFixed(0)} ms in ${(subject.wallMs / 1000).toFixed(0)} s (${cpuPct.toFixed(3)}%)`,
    floor: `idle node: RSS ${fmt(stats(floor.rss), 'MB')}; CPU ${floor.cpuMs.toFixed(0)} ms (${floorPct.toFixed(3)}%)`,
    vs: `+${(rss.median - stats(floor.rss).median).toFixed(1)} MB`,
    target: 'RSS ≤ 60 MB, CPU < 0.1%',
    verdict: verdict(ok),
    note: `${note ?? ''}CPU from /proc utime+stime at ${100} Hz: 10 ms resolution`,
  };
}

export async function idleCost(o: BenchOptions): Promise<Row[]> {
  const windowMs = o.quick ? 3000 : 60_000;
  const rows: Row[] = [];
  const p = makeProject({ command: ['true'], restartDelayS: 3600 });
  const floorChild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { env: benchEnv(), stdio: 'ignore' });
  const serve = spawn(process.execPath, [CLI, 'serve'], { cwd: p.dir, env: benchEnv(), stdio: 'ignore' });
  try {
    o.log(`idle: serve waiting out a 1 h restart delay, ${windowMs / 1000} s`);
    const statusFile = path.join(p.stateDir, 'status.json');
    const waiting = await waitFor(() => {
      try {
        return JSON.parse(fs.readFileSync(statusFile, 'utf8')).state === 'waiting';
      } catch {
        return false;
      }
    }, 20_000);
    if (!waiting) throw new Error('serve never reached its wait');
    await sleep(500); // let the round's garbage settle, as it would in an hour-long wait
    const [s, f] = await Promise.all([watchIdle(serve.pid!, windowMs), watchIdle(floorChild.pid!, windowMs)]);
    rows.push(idleRow('idle `serve` (between rounds, 1 h delay)', s, f));
  } catch (e) {
    rows.push(failed(7, 'idle `serve`', 'RSS ≤ 60 MB, CPU near zero', e));
  } finally {
    await stopChild(serve);
    await stopChild(floorChild);
    removeProject(p);
  }
  if (!monitorBuilt()) {
    rows.push(notMeasured(7, 'idle `monitor`', 'RSS ≤ 60 MB, CPU < 0.1%', 'src/cli/monitor-cmd.ts does not exist yet', 'not built'));
  } else {
    rows.push(await idleMonitor(o, windowMs));
  }
  return rows;
}

async function idleMonitor(o: BenchOptions, windowMs: number): Promise<Row> {
  const p = makeProject({ command: ['true'] });
  const floorChild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { env: benchEnv(), stdio: 'ignore' });
  const mon = spawn(process.execPath, [CLI, 'monitor'], { cwd: p.dir, env: benchEnv(), stdio: 'ignore' });
  try {
    o.log(`idle: monitor, ${windowMs / 1000} s`);
    await sleep(2000); // past its start-up and first poll
    if (mon.exitCode !== null) throw new Error(`monitor exited ${mon.exitCode} at start`);
    const [s, f] = await Promise.all([watchIdle(mon.pid!, windowMs), watchIdle(floorChild.pid!, windowMs)]);
    return idleRow('idle `monitor` (one local project, default poll)', s, f, 'includes its polls; ');
  } catch (e) {
    return failed(7, 'idle `monitor`', 'RSS ≤ 60 MB, CPU < 0.1%', e);
  } finally {
    await stopChild(mon);
    await stopChild(floorChild);
    removeProject(p);
  }
}

/** A counting wrapper for any command (git, ssh), first on PATH. */
function counter(name: string): { binDir: string; count(): number } {
  const binDir = tmpDir(`ar-bench-${name}wrap-`);
  const log = path.join(binDir, 'calls.log');
  const real = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  fs.writeFileSync(path.join(binDir, name), `#!/bin/sh\necho x >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  return {
    binDir,
    count: () => {
      try {
        return fs.readFileSync(log, 'utf8').length / 2;
      } catch {
        return 0;
      }
    },
  };
}

/**
 * Runs `monitor --interval` fast and divides its own CPU (utime+stime, children excluded) by the
 * polls it made, counted from outside: `perPoll` calls of the wrapped command make one poll.
 */
async function pollCost(
  args: string[],
  cwd: string,
  wrapped: { binDir: string; count(): number },
  perPoll: number,
  windowMs: number,
): Promise<{ cpuPerPoll: number; polls: number }> {
  const mon = spawn(process.execPath, [CLI, 'monitor', '--interval', '0.5', ...args], {
    cwd,
    env: benchEnv({ PATH: `${wrapped.binDir}${path.delimiter}${process.env.PATH ?? ''}` }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  mon.stderr!.on('data', (d) => (stderr += d));
  try {
    // past start-up and the first polls (ssh connects its control masters then)
    const started = await waitFor(() => wrapped.count() >= perPoll * 2 || mon.exitCode !== null, 30_000);
    if (!started || mon.exitCode !== null) throw new Error(`monitor made no polls: ${stderr.split('\n')[0] || `exit ${mon.exitCode}`}`);
    const c0 = cpuMs(mon.pid!);
    const n0 = wrapped.count();
    await sleep(windowMs);
    const c1 = cpuMs(mon.pid!);
    const n1 = wrapped.count();
    if (c0 === null || c1 === null) throw new Error(`monitor exited: ${stderr.split('\n')[0]}`);
    const polls = (n1 - n0) / perPoll;
    if (polls < 1) throw new Error('no poll in the window');
    return { cpuPerPoll: (c1 - c0) / polls, polls };
  } finally {
    await stopChild(mon);
  }
}

/** A private sshd on 127.0.0.1–10 (key auth, a high port), ours to start and stop. null if it cannot run. */
async function privateSshd(): Promise<{ port: number; key: string; stop(): Promise<void> } | string> {
  const sshd = '/usr/sbin/sshd';
  if (!fs.existsSync(sshd)) return 'no sshd on this machine';
  const dir = tmpDir('ar-bench-sshd-');
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'client')]);
  } catch (e) {
    return `ssh-keygen failed: ${(e as Error).message.split('\n')[0]}`;
  }
  fs.copyFileSync(path.join(dir, 'client.pub'), path.join(dir, 'authorized_keys'));
  fs.chmodSync(path.join(dir, 'authorized_keys'), 0o600);
  const port = 20000 + (process.pid % 20000);
  const listen = Array.from({ length: 10 }, (_, i) => ['-o', `ListenAddress=127.0.0.${i + 1}`]).flat();
  const child = spawn(
    sshd,
    ['-D', '-e', '-f', '/dev/null', '-p', String(port), '-h', path.join(dir, 'host'),
      '-o', `AuthorizedKeysFile=${path.join(dir, 'authorized_keys')}`, '-o', `PidFile=${path.join(dir, 'pid')}`,
      '-o', 'UsePAM=no', '-o', 'StrictModes=no', '-o', 'MaxStartups=100', '-o', 'MaxSessions=100', ...listen],
    { stdio: ['ignore', 'ignore', 'pipe'], env: benchEnv() },
  );
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const stop = async () => {
    await stopChild(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const up = await waitFor(() => fs.existsSync(path.join(dir, 'pid')) || child.exitCode !== null, 5000);
  if (!up || child.exitCode !== null) {
    await stop();
    return `sshd would not start: ${err.split('\n').find((l) => l.trim()) ?? 'no reason given'}`;
  }
  return { port, key: path.join(dir, 'client'), stop };
}

export async function monitorPoll(o: BenchOptions): Promise<Row[]> {
  const target = '–';
  const local = 'monitor CPU per poll, one local project';
  const remote = 'monitor CPU per poll, 10 hosts over ssh to 127.0.0.1–10';
  if (!monitorBuilt()) {
    return [
      notMeasured(8, local, target, 'src/cli/monitor-cmd.ts does not exist yet', 'not built'),
      notMeasured(8, remote, target, 'monitor does not exist yet', 'not built'),
    ];
  }
  const windowMs = o.quick ? 3000 : 20_000;
  const rows: Row[] = [];
  const p = makeProject({ command: ['true'] });
  try {
    execFileSync(process.execPath, [CLI, 'round'], { cwd: p.dir, env: benchEnv(), stdio: 'ignore' });
    // how many git processes one snapshot takes: that many make one poll
    const g = counter('git');
    execFileSync(process.execPath, [CLI, 'peek', '--json'], { cwd: p.dir, env: benchEnv({ PATH: `${g.binDir}${path.delimiter}${process.env.PATH ?? ''}` }), stdio: 'ignore' });
    const perPeek = g.count();
    try {
      if (perPeek < 1) throw new Error('peek runs no git process: polls cannot be counted from outside');
      o.log(`monitor: local polls, ${windowMs / 1000} s`);
      const r = await pollCost([], p.dir, g, perPeek, windowMs);
      rows.push({
        section: 8, measure: local, value: `${r.cpuPerPoll.toFixed(1)} ms`, floor: '–', vs: '–', target, verdict: '–',
        note: `${r.polls.toFixed(0)} polls at --interval 0.5 in ${windowMs / 1000} s; its git children (${perPeek} a poll) not counted`,
      });
    } catch (e) {
      rows.push(failed(8, local, target, e));
    } finally {
      fs.rmSync(g.binDir, { recursive: true, force: true });
    }

    const sshd = await privateSshd();
    if (typeof sshd === 'string') {
      rows.push(notMeasured(8, remote, target, sshd));
    } else {
      const s = counter('ssh');
      try {
        o.log(`monitor: 10 hosts over ssh, ${windowMs / 1000} s`);
        const hosts = Array.from({ length: 10 }, (_, i) => ['--host', `127.0.0.${i + 1}`]).flat();
        const sshOpts = [`Port=${sshd.port}`, `IdentityFile=${sshd.key}`, 'StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'LogLevel=ERROR']
          .flatMap((x) => ['--ssh-option', x]);
        const r = await pollCost(
          [...hosts, ...sshOpts, '--remote-config', p.configPath, '--remote-command', `${process.execPath} ${CLI}`],
          p.dir, s, 10, windowMs,
        );
        rows.push({
          section: 8, measure: remote, value: `${r.cpuPerPoll.toFixed(1)} ms`, floor: '–', vs: '–', target, verdict: '–',
          note: `${r.polls.toFixed(1)} polls (of all 10 hosts) in ${windowMs / 1000} s; ssh clients and the remote peeks not counted`,
        });
      } catch (e) {
        rows.push(failed(8, remote, target, e));
      } finally {
        fs.rmSync(s.binDir, { recursive: true, force: true });
        await sshd.stop();
      }
    }
  } finally {
    removeProject(p);
  }
  return rows;
}
