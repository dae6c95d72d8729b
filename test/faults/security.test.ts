// Security hardening, end to end through the real CLI: secrets never leave, 0600/0700 under a loose umask,
// the work dir is validated, hostile values never reach a shell, nothing listens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CLI, isAlive, makeGitRepo, tmpDir, waitFor, waitUntil } from '../helpers/env.js';
import { finished, makeProject, toml } from '../helpers/project.js';
import { REDACTED } from '../../src/util/redact.js';
import { assertNoStray, checkInvariants, jsonLines, type InvariantOptions } from '../helpers/invariants.js';

/** The invariant: state files valid, rounds 1..N once each, no process of any round alive. */
async function finalCheck(stateDir: string, o: InvariantOptions = {}): Promise<void> {
  checkInvariants(stateDir, o);
  const pids = jsonLines<{ pid: number | null }>(path.join(stateDir, 'rounds.jsonl')).map((r) => r.pid ?? 0);
  await assertNoStray({ stateDir, pids });
}

// ------------------------------------------------------------------------------------------- helpers

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI to completion, bounded; `umask` set by a shell in front of it when given. */
function cli(args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; umask?: string; timeoutMs?: number } = {}): Ran {
  const env = { ...process.env, AGENT_RUNNER_CONFIG: '', ...o.env };
  const [file, argv]: [string, string[]] = o.umask
    ? ['sh', ['-c', `umask ${o.umask}; exec "$0" "$@"`, process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]];
  const r = spawnSync(file, argv, { cwd: o.cwd, env, encoding: 'utf8', timeout: o.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out; // a dir removed while a running serve writes
    throw e;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...walk(p));
  }
  return out;
}

// ------------------------------------------------------------------------------------------- secrets

const PEM_BODY = [
  'MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw',
  '7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFc',
  'zGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE',
  'Hq3Wb5Zr8TkYp2Lm0Vx7==', // the short last line
];
/** name → value: each kind the issue names, every value distinct so a leak names its rule */
const SECRETS: Record<string, string> = {
  LEAK_ANT: 'sk-ant-api03-' + 'Zx9_Qw8-Er7Ty6Ui5Op4As3Df2Gh1Jk0'.repeat(3) + 'AA',
  LEAK_OPENAI: 'sk-proj-' + 'Ab3De6Gh9Jk2Mn5Pq8St1Vw4Yz7'.repeat(3),
  LEAK_LEGACY: 'sk-' + 'T3BlbkFJq9'.repeat(5),
  LEAK_BEARER: 'tok9Vb8Nc7Xm6Lk5Jh4Gf3Ds2',
  LEAK_AWS_ID: 'AKIAZ7QWERTY12345678',
  LEAK_AWS_SECRET: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ9v8u7t6s',
  LEAK_AWS_SECRET2: 'Xk2Lm3Nb4Vc5Zx6As7Df8Gh9Jk0Ql1Wp2Oe3Ir4T',
  LEAK_AWS_SECRET3: 'Qa1Ws2Ed3Rf4Tg5Yh6Uj7Ik8Ol9Pz0Xc1Vb2Nm3M',
  LEAK_AWS_SECRET4: 'Mn0Bv9Cx8Zl7Kj6Hg5Fd4Sa3Qw2Er1Ty0Ui9Op8A',
  LEAK_JWT:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJsZWFrLXRlc3QiLCJuYW1lIjoiQm9iIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  LEAK_URL_PASS: 'Pa55w0rdUrlXyz',
  LEAK_KEY_VAL: 'svcKeyVal8f7e6d',
  LEAK_TOKEN_VAL: 'glpatTok3n5a4b3c',
  LEAK_SECRET_VAL: 'cl1entS3cretQ7',
  // issue 19, item 15: a key in the free-text model field, a \u-escaped key name, a name split across writes
  LEAK_MODEL: 'sk-ant-api03-' + 'Mo8_De7-Lk6Ey5Rt4'.repeat(4) + 'QQ',
  LEAK_ESC_VAL: 'escK3yV4lue9xq',
  LEAK_SPLIT_VAL: 'spl1tT0kenV4l',
};
/** a key of 40 body lines of 50 columns (no wrapping width the line rule knows): its BEGIN scrolls out of the 2 KiB crash tail */
const PEM2_BODY = Array.from({ length: 40 }, (_, i) => `b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAA${String(i).padStart(3, '0')}`);
const NEEDLES: Array<[string, string]> = [
  ...Object.entries(SECRETS),
  ...PEM_BODY.map((l, i): [string, string] => [`pem line ${i + 1}`, l.slice(4, 40)]),
  ...PEM2_BODY.map((l, i): [string, string] => [`pem2 line ${i + 1}`, l.slice(0, 50)]),
];

function leaks(text: string): string[] {
  return NEEDLES.filter(([, v]) => text.includes(v)).map(([k]) => k);
}

test('secrets never leave: events, records, status, peek, events, status, monitor alerts and notifications are redacted', { timeout: 240_000 }, async (t) => {
  // every notification (serve's stop, the monitor's alerts) as its command channel receives it
  const received = path.join(tmpDir('ar-notify-'), 'received.jsonl');
  const p = makeProject({
    agent: 'leak-secrets.sh',
    agentEnv: { ...SECRETS, LEAK_PEM_BODY: PEM_BODY.join(' '), LEAK_PEM2_BODY: PEM2_BODY.join(' ') },
    serveToml: 'crash_loop_threshold = 2\nbackoff_base_s = 0\nbackoff_max_s = 1\nquick_failure_s = 120\nstop_on_auth = false',
    extraToml: `[monitor]\nnetwork_fail_rounds = 1\n[[notify]]\nkind = "command"\ncommand = ["sh", "-c", "cat >> \\"$0\\"; echo >> \\"$0\\"", ${JSON.stringify(received)}]\n`,
  });
  t.after(() => {
    fs.rmSync(p.dir, { recursive: true, force: true });
    fs.rmSync(path.dirname(p.stateDir), { recursive: true, force: true });
  });

  // serve until the crash-loop breaker trips
  const serve = cli(['--config', p.configPath, 'serve'], { cwd: p.dir, timeoutMs: 120_000 });
  assert.equal(serve.code, 3, `serve: ${serve.stderr}`); // halted by the breaker
  const trip = p.events().find((e) => e.kind === 'crash_loop');
  assert.ok(trip, 'no crash_loop event');
  assert.ok(typeof trip.log_tail === 'string' && trip.log_tail.includes(REDACTED), `crash_loop log_tail: ${trip.log_tail}`);
  const last = p.rounds().at(-1)!;
  assert.ok(last.reason && last.reason.includes(REDACTED), `the reason kept no redacted trace of the error: ${last.reason}`);

  // then one network failure whose message quotes the secrets: the network_fail alert carries the reason
  const netConfig = p.configPath.replace(/\.toml$/, '.network.toml');
  fs.appendFileSync(path.join(p.dir, '.git', 'info', 'exclude'), `${path.basename(netConfig)}\n`);
  fs.writeFileSync(netConfig, fs.readFileSync(p.configPath, 'utf8').replace('[agent.env]\n', '[agent.env]\nLEAK_AS = "network"\n'));
  const net = cli(['--config', netConfig, 'round'], { cwd: p.dir });
  assert.equal(net.code, 1, `round: ${net.stdout}${net.stderr}`);
  assert.equal(p.rounds().at(-1)!.category, 'network', JSON.stringify(p.rounds().at(-1)));

  // the raw log is the agent's own transcript: it holds them (so the test fed them through), and it is 0600
  const log = p.rounds()[0].log!;
  assert.deepEqual(leaks(fs.readFileSync(log, 'utf8')).sort(), NEEDLES.map(([k]) => k).sort(), 'the agent did not print every secret');
  assert.equal(fs.statSync(log).mode & 0o777, 0o600);

  // everything the supervisor wrote
  const written = walk(p.stateDir).filter((f) => fs.statSync(f).isFile() && !/\/rounds\/\d+\.log$/.test(f));
  assert.ok(written.some((f) => f.endsWith('.events.jsonl')), `no events log: ${written}`);
  const eventsLog = fs.readFileSync(p.rounds()[0].events_log!, 'utf8');
  assert.ok(eventsLog.includes(REDACTED) && eventsLog.includes('"tool_result"') && eventsLog.includes('"result"'), 'the stream was not parsed into events');
  const found: string[] = [];
  for (const f of written) for (const k of leaks(fs.readFileSync(f, 'utf8'))) found.push(`${path.relative(p.stateDir, f)}: ${k}`);
  for (const k of leaks(serve.stdout + serve.stderr + net.stdout + net.stderr)) found.push(`serve/round output: ${k}`);

  // everything the CLI shows
  const shows: string[][] = [
    ['peek', '--json', '--events', '200'],
    ['peek'],
    ['peek', '--round', '1', '--log'],
    ['peek', '--round', 'latest', '--log', '--json'],
    ['status'],
    ['status', '--json'],
    ['events'],
    ['monitor', '--once'],
  ];
  let alerts = '';
  for (const args of shows) {
    const r = cli(['--config', p.configPath, ...args], { cwd: p.dir });
    assert.ok(r.code === 0, `${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
    if (args[0] === 'monitor') alerts = r.stdout;
    for (const k of leaks(r.stdout + r.stderr)) found.push(`${args.join(' ')}: ${k}`);
  }
  // the monitor ran once already (its alerts file dedups): a fresh file, NDJSON this time
  fs.rmSync(path.join(p.stateDir, 'monitor-alerts.json'), { force: true });
  const mj = cli(['--config', p.configPath, 'monitor', '--once', '--json'], { cwd: p.dir });
  for (const k of leaks(mj.stdout + mj.stderr)) found.push(`monitor --once --json: ${k}`);
  assert.match(alerts, /network_fail/, `the monitor raised no alert carrying the reason: ${alerts}`);
  assert.match(mj.stdout, /\[REDACTED\]/, `the alert lost the redacted reason: ${mj.stdout}`);
  for (const k of leaks(fs.readFileSync(path.join(p.stateDir, 'monitor-alerts.json'), 'utf8'))) found.push(`monitor-alerts.json: ${k}`);
  const sent = fs.readFileSync(received, 'utf8');
  assert.match(sent, /"event":"stopped"/, `no stop notification: ${sent}`);
  assert.match(sent, /"detector":"network_fail"/, `no alert notification: ${sent}`);
  for (const k of leaks(sent)) found.push(`notifications: ${k}`);
  for (const f of ['notify-serve.json', 'notify-monitor.json']) for (const k of leaks(fs.readFileSync(path.join(p.stateDir, f), 'utf8'))) found.push(`${f}: ${k}`);

  assert.deepEqual(found, [], `secrets leaked:\n${found.join('\n')}`);
  await finalCheck(p.stateDir);
});

// ------------------------------------------------------------------------------------------- modes

/** Every file 0600 and every dir 0700 from `top` down (top itself included). */
function badModes(top: string): string[] {
  const bad: string[] = [];
  const want = (p: string, st: fs.Stats) => (st.isDirectory() ? 0o700 : 0o600);
  for (const p of [top, ...walk(top)]) {
    // a running serve replaces files atomically (a temp file renamed over the old): one may be gone by now
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if ((st.mode & 0o777) !== want(p, st)) bad.push(`${path.relative(top, p) || '.'} ${(st.mode & 0o777).toString(8)}`);
  }
  return bad;
}

test('files 0600 and dirs 0700 under umask 000: init, round, serve, start, stop, the stop file, peek, monitor', { timeout: 240_000 }, async (t) => {
  const home = tmpDir('ar-home-');
  const repo = makeGitRepo(tmpDir('ar-repo-'));
  t.after(() => {
    for (const d of [home, repo]) fs.rmSync(d, { recursive: true, force: true });
  });
  // the default state dir lives under $HOME/.local/state: every dir on the way is ours to create
  const env = { HOME: home, XDG_STATE_HOME: '', DEMO_SLEEP: '0.1' };
  const u = (args: string[], extra: NodeJS.ProcessEnv = {}) => cli(args, { cwd: repo, env: { ...env, ...extra }, umask: '000' });

  const init = u(['init', '--preset', 'demo']);
  assert.equal(init.code, 0, init.stderr);
  // the config may hold [agent.env] secrets: only its owner reads it; the prompt is not world-writable
  assert.equal(fs.statSync(path.join(repo, 'agent-runner.toml')).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.join(repo, 'prompts', 'main.md')).mode & 0o022, 0);
  assert.equal(fs.statSync(path.join(repo, 'prompts')).mode & 0o022, 0);

  const r1 = u(['round']);
  assert.equal(r1.code, 0, r1.stdout + r1.stderr);
  const stateDir = JSON.parse(u(['status', '--json']).stdout).state_dir as string;
  assert.ok(stateDir.startsWith(path.join(home, '.local', 'state', 'agent-runner') + '/'), stateDir);

  // a garbage line in the middle of events.jsonl: whatever the start-up repair sets aside is 0600 too
  const ev = path.join(stateDir, 'events.jsonl');
  fs.writeFileSync(ev, fs.readFileSync(ev, 'utf8') + '{garbage\n' + JSON.stringify({ ts: new Date().toISOString(), kind: 'max_rounds', rounds: 0 }) + '\n');

  // serve in the foreground under umask 000; looked at while its round runs (lock, serve.pid, round.open.json)
  const serve = spawn('sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, CLI, 'serve'], {
    cwd: repo,
    env: { ...process.env, AGENT_RUNNER_CONFIG: '', ...env, DEMO_SLEEP: '3' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const served = finished(serve);
  t.after(() => {
    if (serve.exitCode === null) serve.kill('SIGKILL');
  });
  assert.ok(await waitFor(() => fs.existsSync(path.join(stateDir, 'round.open.json')) && fs.existsSync(path.join(stateDir, 'serve.pid')), 30_000), 'serve did not start a round');
  const whileRunning = badModes(stateDir);
  assert.equal(u(['peek']).code, 0);
  assert.equal(u(['peek', '--json']).code, 0);
  assert.equal(u(['monitor', '--once']).code, 0);
  const stop = u(['stop', '--timeout', '60']);
  assert.equal(stop.code, 0, stop.stdout + stop.stderr);
  const s1 = await served;
  assert.equal(s1.code, 0, s1.stderr);

  // the stop file, made by an operator under the same loose umask; serve consumes it
  const stopFile = path.join(stateDir, 'STOP');
  spawnSync('sh', ['-c', 'umask 000; : > "$0"', stopFile]);
  const s2 = u(['serve']);
  assert.equal(s2.code, 0, s2.stderr);
  assert.ok(!fs.existsSync(stopFile), 'serve left the stop file');

  // start (serve in the background, serve.log), then stop
  const start = u(['start']);
  assert.equal(start.code, 0, start.stdout + start.stderr);
  const stop2 = u(['stop', '--timeout', '60']);
  assert.equal(stop2.code, 0, stop2.stdout + stop2.stderr);

  const names = walk(stateDir).map((f) => path.relative(stateDir, f));
  for (const want of ['rounds.jsonl', 'events.jsonl', 'status.json', 'rounds/1.log', 'rounds/1.events.jsonl', 'serve.log', 'monitor-alerts.json']) {
    assert.ok(names.includes(want), `${want} was not written: ${names.join(' ')}`);
  }
  assert.deepEqual(whileRunning, [], `while serve ran: ${whileRunning.join(', ')}`);
  assert.deepEqual(badModes(path.join(home, '.local')), [], 'modes after init, round, serve, start, stop, peek, monitor');
  await finalCheck(stateDir, { tornAllowed: ['events'] });
});

// ------------------------------------------------------------------------------------------- work dir

test('the work dir is validated: not /, not in or above ~/.ssh ~/.gnupg ~/.aws ~/.kube ~/.config/gcloud, real path, no line break', { timeout: 120_000 }, (t) => {
  const home = tmpDir('ar-home-');
  const base = tmpDir('ar-wd-');
  t.after(() => {
    for (const d of [home, base]) fs.rmSync(d, { recursive: true, force: true });
  });
  for (const d of ['.ssh/keys', '.gnupg', '.config/gcloud/configurations', 'projects/app']) fs.mkdirSync(path.join(home, d), { recursive: true });
  // ~/.aws is a symlink elsewhere; a link in the base points into ~/.aws
  fs.mkdirSync(path.join(base, 'real-aws', 'sub'), { recursive: true });
  fs.symlinkSync(path.join(base, 'real-aws'), path.join(home, '.aws'));
  fs.mkdirSync(path.join(home, 'real-kube'));
  fs.symlinkSync(path.join(home, 'real-kube'), path.join(home, '.kube'));
  fs.symlinkSync(path.join(home, '.ssh'), path.join(base, 'innocent'));
  const newline = path.join(base, 'evil\nExecStartPre=touch pwned');
  fs.mkdirSync(newline);
  const env = { HOME: home, XDG_STATE_HOME: path.join(base, 'state') };

  const config = path.join(base, 'agent-runner.toml');
  const write = (workDir: string) =>
    fs.writeFileSync(config, `[agent]\ncommand = ["true"]\n[runtime]\nwork_dir = ${toml(workDir)}\n[prompt]\nfile = ${toml(path.join(base, 'p.md'))}\n`);
  fs.writeFileSync(path.join(base, 'p.md'), 'x\n');

  const refused: Array<[string, string, RegExp]> = [
    ['root', '/', /is the root directory/],
    ['~/.ssh', '~/.ssh', /inside .*\.ssh/],
    ['inside ~/.ssh', path.join(home, '.ssh', 'keys'), /inside .*\.ssh/],
    ['~/.gnupg', path.join(home, '.gnupg'), /inside .*\.gnupg/],
    ['inside ~/.config/gcloud', path.join(home, '.config', 'gcloud', 'configurations'), /inside .*gcloud/],
    ['the home dir (above ~/.ssh)', '~', /contains .*\.ssh/],
    ['above the home dir', path.dirname(home), /contains .*\.ssh/],
    ['~/.aws, a symlink: its real path', path.join(base, 'real-aws', 'sub'), /inside .*\.aws/],
    ['~/.kube reached through its real path', path.join(home, 'real-kube'), /inside .*\.kube/],
    ['a symlink into ~/.ssh', path.join(base, 'innocent'), /inside .*\.ssh/],
    ['a line break', newline, /control character/],
  ];
  const problems: string[] = [];
  for (const [what, dir, why] of refused) {
    write(dir);
    const r = cli(['--config', config, 'round'], { cwd: base, env });
    const lines = r.stderr.trim().split('\n');
    if (r.code !== 78 || lines.length !== 1 || !/`runtime\.work_dir`/.test(r.stderr) || !why.test(r.stderr) || /\n\s+at /.test(r.stderr)) {
      problems.push(`${what}: exit ${r.code}: ${JSON.stringify(r.stderr)}`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(!fs.existsSync(path.join(env.XDG_STATE_HOME, 'agent-runner')), 'a refused config still made a state dir');

  // a project under the home dir is fine (install --dry-run loads the config strictly and changes nothing)
  write(path.join(home, 'projects', 'app'));
  const ok = cli(['--config', config, 'install', '--dry-run'], { cwd: base, env });
  assert.equal(ok.code, 0, ok.stderr);

  // init refuses such a dir too, before it writes anything
  for (const dir of [home, path.join(home, '.ssh')]) {
    makeGitRepo(dir);
    const r = cli(['init', '--preset', 'demo'], { cwd: dir, env });
    assert.equal(r.code, 78, `init in ${dir}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /`runtime\.work_dir`.*\.ssh/);
    assert.ok(!fs.existsSync(path.join(dir, 'agent-runner.toml')), `init wrote a config in ${dir}`);
  }
});

// ------------------------------------------------------------------------------------------- subprocess values

test('hostile values never reach a shell: ssh host, ssh options, remote config and command, unit files', { timeout: 120_000 }, (t) => {
  const base = tmpDir('ar-hostile-');
  const mark = path.join(os.tmpdir(), `pwned-${randomBytes(6).toString('hex')}`);
  t.after(() => {
    fs.rmSync(base, { recursive: true, force: true });
    fs.rmSync(mark, { force: true });
  });
  // a fake ssh: logs its argv, then runs what follows "--" through a shell, as the remote sshd does
  const bin = path.join(base, 'bin');
  fs.mkdirSync(bin);
  const sshLog = path.join(base, 'ssh.log');
  fs.writeFileSync(
    path.join(bin, 'ssh'),
    `#!/bin/sh\nprintf '%s\\n' "$@" >> ${JSON.stringify(sshLog)}\nwhile [ $# -gt 0 ]; do case "$1" in -o|-O) shift 2;; --) shift; break;; -*) shift;; *) shift;; esac; done\n[ $# -gt 0 ] && exec sh -c "$*"\nexit 0\n`,
    { mode: 0o755 },
  );
  const env = { PATH: `${bin}:${process.env.PATH}`, HOME: base };
  // the fake really runs the remote string: a plain `touch` through it makes the file
  const control = path.join(base, 'control-mark');
  spawnSync(path.join(bin, 'ssh'), ['-o', 'BatchMode=yes', 'pi', '--', 'touch', control]);
  assert.ok(fs.existsSync(control), 'the fake ssh does not run its remote command');
  fs.rmSync(sshLog, { force: true });

  const touch = `touch ${mark}`;
  const refused: string[][] = [
    ['--host', `-oProxyCommand=${touch}`],
    ['--host', `pi; ${touch}`],
    ['--host', `pi\n${touch}`],
    ['--host', `pi$(${touch})`],
    ['--host', 'pi', '--ssh-option', `ProxyCommand=${touch}`],
    ['--host', 'pi', '--ssh-option', `localcommand=${touch}`],
    ['--host', 'pi', '--ssh-option', `Port=22\nProxyCommand=${touch}`],
    ['--host', 'pi', '--ssh-option', `HostName=-oProxyCommand=${touch}`],
    ['--host', 'pi', '--remote-config', `/srv/a.toml\n${touch}`],
    ['--host', 'pi', '--remote-command', `agent-runner\n${touch}`],
  ];
  const problems: string[] = [];
  for (const args of refused) {
    const r = cli(['monitor', '--once', '--remote-config', '/srv/app/agent-runner.toml', ...args], { cwd: base, env });
    if (r.code !== 2 || r.stderr.trim().split('\n').length !== 1 || !/^agent-runner: /.test(r.stderr)) problems.push(`${JSON.stringify(args)}: exit ${r.code}: ${JSON.stringify(r.stderr)}`);
    if (fs.existsSync(sshLog)) problems.push(`${JSON.stringify(args)}: ssh ran`);
    fs.rmSync(sshLog, { force: true });
  }
  assert.deepEqual(problems, []);

  // values that are fine for ssh but hostile to the remote shell: quoted word by word, so nothing runs
  const quoted: string[][] = [
    ['--remote-config', `/srv/a.toml; ${touch}`],
    ['--remote-config', `/srv/a'; ${touch}; echo '`],
    ['--remote-config', `$(${touch})`],
    ['--remote-config', `\`${touch}\``],
    ['--remote-config', `-oProxyCommand=${touch}`],
    ['--remote-command', `echo $(${touch})`],
    ['--remote-command', `echo; ${touch}`],
  ];
  for (const args of quoted) {
    const r = cli(['monitor', '--once', '--host', 'pi', '--remote-command', 'echo', '--remote-config', '/srv/a.toml', ...args], { cwd: base, env });
    assert.equal(r.code, 0, `${JSON.stringify(args)}: ${r.stderr}`);
    const argv = fs.readFileSync(sshLog, 'utf8').split('\n');
    assert.ok(argv.indexOf('pi') !== -1 && argv.indexOf('pi') < argv.indexOf('--'), `the host is not before "--": ${argv.join(' ')}`);
    assert.ok(!fs.existsSync(mark), `${JSON.stringify(args)} ran a command through the remote shell`);
    fs.rmSync(sshLog, { force: true });
  }

  // unit files: % (a specifier) and $ (a variable) in the project's paths are escaped; a line break is refused
  const proj = path.join(base, 'p50%n$HOME');
  makeGitRepo(fs.mkdirSync(proj, { recursive: true }) ?? proj);
  const cfg = path.join(proj, 'agent-runner.toml');
  fs.writeFileSync(cfg, `[agent]\ncommand = ["true"]\n[runtime]\nstate_dir = ${toml(path.join(base, 'state'))}\n[prompt]\nfile = "p.md"\n`);
  fs.writeFileSync(path.join(proj, 'p.md'), 'x\n');
  const dry = cli(['--config', cfg, 'install', '--dry-run', '--monitor'], { cwd: proj, env });
  assert.equal(dry.code, 0, dry.stderr);
  const settings = dry.stdout.split('\n').filter((l) => /^[A-Za-z]+=/.test(l));
  assert.ok(settings.length > 10, dry.stdout);
  for (const l of settings) {
    assert.ok(!l.replace(/%%/g, '').includes('%'), `an unescaped specifier: ${l}`);
    // only Exec*= lines expand $VARIABLES
    if (l.startsWith('Exec')) assert.ok(!l.replace(/\$\$/g, '').includes('$'), `an unescaped variable: ${l}`);
  }
  assert.ok(settings.some((l) => l.startsWith('Description=') && l.includes('p50%%n$HOME')), settings.join('\n'));
  assert.ok(settings.some((l) => l.startsWith('ExecStart=') && l.includes('p50%%n$$HOME/agent-runner.toml')), settings.join('\n'));

  const nl = path.join(base, 'q\nExecStartPre=touch pwned');
  fs.mkdirSync(nl);
  makeGitRepo(nl);
  const nlCfg = path.join(nl, 'agent-runner.toml');
  fs.writeFileSync(nlCfg, `[agent]\ncommand = ["true"]\n[runtime]\nstate_dir = ${toml(path.join(base, 'state2'))}\n[prompt]\nfile = "p.md"\n`);
  const bad = cli(['--config', nlCfg, 'install', '--dry-run'], { cwd: base, env });
  assert.equal(bad.code, 78, bad.stdout + bad.stderr);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.doesNotMatch(bad.stdout, /ExecStartPre/);
  assert.ok(!fs.existsSync(mark), 'a hostile value ran a command');
});

// ------------------------------------------------------------------------------------------- listeners

/** inode → "tcp 0.0.0.0:port" for every listening TCP socket and every bound UDP socket of this network namespace */
function listeningSockets(): Map<string, string> {
  const out = new Map<string, string>();
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6']) {
    let text = '';
    try {
      text = fs.readFileSync(`/proc/net/${proto}`, 'utf8');
    } catch {
      continue; // no IPv6 on this kernel
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      // tcp: 0A = LISTEN; udp: any socket in the table is bound and receives
      if (proto.startsWith('tcp') && f[3] !== '0A') continue;
      out.set(f[9], `${proto} ${f[1]}`);
    }
  }
  return out;
}

function listenersOf(pid: number): string[] {
  const table = listeningSockets();
  const found: string[] = [];
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let link = '';
    try {
      link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode && table.has(inode)) found.push(table.get(inode)!);
  }
  return found;
}

test('nothing listens: a running serve and monitor hold no listening TCP or UDP socket', { timeout: 120_000 }, async (t) => {
  // the probe finds a listener when there is one (this process, on 0.0.0.0)
  const net = await import('node:net');
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
  assert.equal(listenersOf(process.pid).length, 1, 'the probe does not see a listener');
  await new Promise<void>((r) => server.close(() => r()));

  const p = makeProject({ agent: 'succeed.sh', restartDelay: 1 });
  const serve = p.start(['serve']);
  const monitor = p.start(['monitor', '--interval', '1']);
  const ends = [finished(serve), finished(monitor)];
  t.after(() => {
    for (const c of [serve, monitor]) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    fs.rmSync(p.dir, { recursive: true, force: true });
    fs.rmSync(path.dirname(p.stateDir), { recursive: true, force: true });
  });
  assert.ok(await waitFor(() => p.rounds().length >= 2, 60_000), 'serve ran no rounds');
  // a local monitor saves its alerts after each poll (once the state dir exists): it has polled
  await waitUntil(() => fs.existsSync(path.join(p.stateDir, 'monitor-alerts.json')), {
    timeoutMs: 30_000,
    what: 'the monitor\'s first poll of the project',
  });
  assert.ok(isAlive(serve.pid!) && isAlive(monitor.pid!), `serve or the monitor is not running: serve ${serve.exitCode}, monitor ${monitor.exitCode}`);
  assert.deepEqual(listenersOf(serve.pid!), [], 'serve listens');
  assert.deepEqual(listenersOf(monitor.pid!), [], 'the monitor listens');

  serve.kill('SIGTERM');
  monitor.kill('SIGTERM');
  const [s, m] = await Promise.all(ends);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(m.code, 0, m.stderr);
  await finalCheck(p.stateDir);
});

test('a remote host that floods its answer: monitor cuts it at 16 MiB and reports the host', { timeout: 120_000 }, (t) => {
  const base = tmpDir('ar-flood-host-');
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  // a fake ssh standing for a broken or hostile host: an endless answer, which must not grow our memory
  const bin = path.join(base, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'ssh'), `#!/bin/sh\nexec yes ${'a'.repeat(200)}\n`, { mode: 0o755 });
  const r = cli(['monitor', '--once', '--json', '--host', 'pi', '--remote-config', '/srv/app/agent-runner.toml'], { cwd: base, env: { PATH: `${bin}:${process.env.PATH}`, HOME: base }, timeoutMs: 90_000 });
  assert.notEqual(r.code, null, 'monitor did not finish');
  assert.match(r.stdout + r.stderr, /pi answered more than 16 MiB: not a snapshot/, `${r.stdout}\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /);
});
