// The systemd unit renderer (pure) and unit naming; and the rendered units through `systemd-analyze verify`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  envAssignment,
  execWord,
  renderTemplate,
  renderUnit,
  stopTimeoutS,
  systemdEscape,
  unitName,
  unitSuffix,
  parseSystemdVersion,
  type UnitInputs,
} from '../../src/system/units.js';
import { readTemplate, systemdVersion } from '../../src/system/systemd.js';
import { REPO_ROOT, CLI, tmpDir } from '../helpers/env.js';
import type { Config } from '../../src/config/types.js';
import { EXIT, UserError } from '../../src/errors.js';

function config(over: Partial<Config> = {}, dir = '/srv/proj'): Config {
  return {
    configPath: `${dir}/agent-runner.toml`,
    workDir: dir,
    project: path.basename(dir),
    agent: { command: ['claude', '-p'], env: {} },
    runtime: { round_timeout_s: 1800, kill_grace_s: 5, restart_delay_s: 0, state_dir: `/var/lib/ar/${path.basename(dir)}-1234` },
    prompt: { files: [] },
    vcs: { dirty_action: 'stash' },
    phases: [],
    serve: { crash_loop_threshold: 5, quick_failure_s: 10, backoff_base_s: 1, backoff_max_s: 60 },
    ...over,
  } as Config;
}

function inputs(over: Partial<UnitInputs> = {}): UnitInputs {
  return { config: config(), scope: 'user', node: '/usr/bin/node', script: '/opt/ar/bin/agent-runner.js', path: '/usr/local/bin:/usr/bin:/bin', systemdVersion: 252, ...over };
}

const serveUnit = (o: Partial<UnitInputs> = {}) => renderUnit(readTemplate('serve'), 'serve', inputs(o));
const monitorUnit = (o: Partial<UnitInputs> = {}) => renderUnit(readTemplate('monitor'), 'monitor', inputs(o));
const key = (text: string, k: string) => text.split('\n').filter((l) => l.startsWith(`${k}=`)).map((l) => l.slice(k.length + 1));

test('systemdEscape agrees with the real systemd-escape', () => {
  for (const s of ['proj', 'my-project', 'a b', 'ünï', 'x.y', '.hidden', 'a/b', 'we$ird%name', 'under_score:colon', 'tab\there']) {
    const r = spawnSync('systemd-escape', ['--', s], { encoding: 'utf8' });
    assert.equal(r.status, 0, `systemd-escape missing or failed: ${r.stderr}`);
    assert.equal(systemdEscape(s), r.stdout.trim(), s);
  }
});

test('two projects named alike get different unit names; one project always the same', () => {
  const a = unitName('app', '/home/u/.local/state/agent-runner/app-11111111', 'serve');
  const b = unitName('app', '/home/u/.local/state/agent-runner/app-22222222', 'serve');
  assert.notEqual(a, b);
  assert.equal(a, unitName('app', '/home/u/.local/state/agent-runner/app-11111111', 'serve'));
  assert.match(a, /^agent-runner-app-[0-9a-f]{8}\.service$/);
  const m = unitName('app', '/home/u/.local/state/agent-runner/app-11111111', 'monitor');
  assert.match(m, /-monitor\.service$/);
  assert.ok(a.endsWith(unitSuffix('/home/u/.local/state/agent-runner/app-11111111', 'serve')));
  assert.ok(!m.endsWith(unitSuffix('/home/u/.local/state/agent-runner/app-11111111', 'serve')), 'a monitor unit never passes for serve');
  assert.match(unitName('my app/ä', '/s', 'serve'), /^agent-runner-my\\x20app-\\xc3\\xa4-[0-9a-f]{8}\.service$/);
  assert.ok(unitName('x'.repeat(500), '/s', 'monitor').length < 100, 'long names are cut');
});

test('renderTemplate: placeholders filled, empty block lines dropped, mistakes refused', () => {
  assert.equal(renderTemplate('A=@X@\n@B@\nC', { X: '1', B: '' }), 'A=1\nC');
  assert.equal(renderTemplate('@B@\nC', { B: 'l1\nl2' }), 'l1\nl2\nC');
  assert.throws(() => renderTemplate('A=@X@', {}), /@X@ has no value/);
  assert.throws(() => renderTemplate('A=1', { X: '1' }), /not in the template: X/);
  assert.throws(() => renderTemplate('A=@X@', { X: 'a\nb' }), /inline/);
});

test('ExecStart words and Environment values are escaped for systemd', () => {
  assert.equal(execWord('/usr/bin/node'), '/usr/bin/node');
  assert.equal(execWord('/a b/c'), '"/a b/c"');
  assert.equal(execWord('/50%/x'), '/50%%/x');
  assert.equal(execWord('/$HOME/x'), '/$$HOME/x');
  assert.equal(execWord('/a"b'), '"/a\\"b"');
  assert.equal(envAssignment('PATH', '/a:/b'), 'PATH=/a:/b');
  assert.equal(envAssignment('PATH', '/a b:/c%'), '"PATH=/a b:/c%%"');
  // a line break (from $PATH, say) is one line for the user and exit 78, never an "unexpected error"
  assert.throws(() => execWord('/a\nb'), (e: unknown) => e instanceof UserError && e.exitCode === EXIT.CONFIG && /line break/.test(e.message));
  assert.throws(() => envAssignment('PATH', '/a\n/b'), (e: unknown) => e instanceof UserError && /line break/.test(e.message));
});

test('the serve unit: absolute ExecStart, PATH, restart only on failure, never on 78, a stop that waits for the round', () => {
  const u = serveUnit({ config: config({ phases: [{ name: 'long', round_timeout_s: 7200 }] }) });
  assert.deepEqual(key(u.text, 'ExecStart'), ['/usr/bin/node /opt/ar/bin/agent-runner.js --config /srv/proj/agent-runner.toml serve']);
  assert.deepEqual(key(u.text, 'WorkingDirectory'), ['/srv/proj']);
  assert.deepEqual(key(u.text, 'Environment'), ['PATH=/usr/local/bin:/usr/bin:/bin']);
  assert.deepEqual(key(u.text, 'Restart'), ['on-failure']);
  assert.ok(key(u.text, 'RestartPreventExitStatus')[0].split(' ').includes('78'));
  assert.ok(key(u.text, 'RestartPreventExitStatus')[0].split(' ').includes('3'), 'the crash-loop breaker and auth stops stay stopped');
  assert.ok(!key(u.text, 'RestartPreventExitStatus')[0].split(' ').includes('1'), 'a crash (exit 1) is restarted');
  assert.deepEqual(key(u.text, 'KillMode'), ['mixed']);
  assert.deepEqual(key(u.text, 'OOMPolicy'), ['continue']);
  assert.equal(key(u.text, 'RestartSec').length, 1);
  assert.ok(Number(key(u.text, 'TimeoutStopSec')[0]) > 7200 + 5, 'longer than the longest phase timeout plus the grace');
  assert.equal(stopTimeoutS(config()), 1800 + 5 + 60);
  const unitSection = u.text.split('[Service]')[0];
  assert.match(unitSection, /^StartLimitIntervalSec=\d+$/m);
  assert.match(unitSection, /^StartLimitBurst=\d+$/m);
  assert.deepEqual(key(u.text, 'WantedBy'), ['default.target']);
  assert.equal(key(u.text, 'User').length, 0);
  assert.doesNotMatch(u.text, /@[A-Z_]+@/);
});

test('RestartSteps / RestartMaxDelaySec only for systemd 254 and newer', () => {
  for (const [v, has] of [[252, false], [253, false], [254, true], [256, true], [null, false]] as const) {
    const t = serveUnit({ systemdVersion: v }).text;
    assert.equal(key(t, 'RestartSteps').length === 1 && key(t, 'RestartMaxDelaySec').length === 1, has, `version ${v}`);
    if (!has) assert.doesNotMatch(t, /RestartSteps|RestartMaxDelaySec/);
  }
  assert.equal(parseSystemdVersion('systemd 252 (252.38-1~deb12u1)\n+PAM +AUDIT'), 252);
  assert.equal(parseSystemdVersion('nonsense'), null);
});

test('system units run as User= and want multi-user.target', () => {
  const u = serveUnit({ scope: 'system', user: 'alice' });
  assert.deepEqual(key(u.text, 'User'), ['alice']);
  assert.deepEqual(key(u.text, 'WantedBy'), ['multi-user.target']);
  assert.throws(() => serveUnit({ scope: 'system' }), /user to run as/);
  // $SUDO_USER is whatever the environment says: a specifier or a space must not reach User=
  for (const bad of ['%n', 'a b', '-x', 'root\nExecStartPre=/bin/true'])
    assert.throws(() => serveUnit({ scope: 'system', user: bad }), (e: unknown) => e instanceof UserError && e.exitCode === EXIT.CONFIG, bad);
  assert.deepEqual(key(serveUnit({ scope: 'system', user: 'build-01.ci$' }).text, 'User'), ['build-01.ci$']);
});

test('the monitor unit runs `monitor` and is not bound to serve', () => {
  const m = monitorUnit();
  assert.match(key(m.text, 'ExecStart')[0], / --config \/srv\/proj\/agent-runner\.toml monitor$/);
  assert.doesNotMatch(m.text, /^(BindsTo|PartOf|Requires|Requisite)=/m);
  assert.deepEqual(key(m.text, 'Restart'), ['on-failure']);
  assert.notEqual(m.name, serveUnit().name);
});

test('rendered units pass systemd-analyze verify with no warning (user and system, odd paths)', () => {
  const version = systemdVersion();
  assert.ok(version !== null, 'systemctl --version must answer (the systemd package)');
  const dir = tmpDir('ar-units-');
  const work = path.join(dir, 'my proj 100%');
  fs.mkdirSync(work);
  fs.writeFileSync(path.join(work, 'agent-runner.toml'), '');
  const runtime = path.join(dir, 'runtime');
  fs.mkdirSync(runtime, { mode: 0o700 });
  const cfg = config({ phases: [{ name: 'p', round_timeout_s: 60 }] }, work);
  for (const scope of ['user', 'system'] as const) {
    for (const role of ['serve', 'monitor'] as const) {
      const u = renderUnit(readTemplate(role), role, {
        config: cfg,
        scope,
        node: process.execPath,
        script: CLI,
        path: process.env.PATH ?? '/usr/bin:/bin',
        systemdVersion: version,
        user: scope === 'system' ? 'root' : undefined,
      });
      const file = path.join(dir, u.name);
      fs.writeFileSync(file, u.text);
      const args = scope === 'user' ? ['--user', 'verify', file] : ['verify', file];
      const r = spawnSync('systemd-analyze', args, { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: runtime }, timeout: 30_000 });
      assert.equal(r.status, 0, `${scope} ${role}: ${r.stderr}`);
      assert.equal(r.stderr.trim(), '', `${scope} ${role} warns:\n${r.stderr}`);
      fs.rmSync(file);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the templates ship in the package', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  assert.ok(pkg.files.includes('systemd'));
  assert.ok(fs.existsSync(path.join(REPO_ROOT, 'systemd', 'agent-runner-serve.service.in')));
});
