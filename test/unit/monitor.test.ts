// The monitor's pure parts: alert dedup and resolution, the persisted store, ssh argument checks,
// back-off, thresholds, the output lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { alertKey, fileStore, toLine, transition } from '../../src/monitor/alerts.js';
import { checkHost, checkSshOption, shellQuote, splitCommand } from '../../src/monitor/remote/validate.js';
import { backoffS, trimHistory, HISTORY_MAX } from '../../src/monitor/loop.js';
import { checkThresholds, defaultThresholds } from '../../src/monitor/thresholds.js';
import { humanLine, jsonLine } from '../../src/monitor/sinks.js';
import { evaluate } from '../../src/monitor/evaluate.js';
import { checkSnapshot } from '../../src/monitor/source.js';
import { UserError, ConfigError } from '../../src/errors.js';
import type { Finding } from '../../src/monitor/types.js';
import { NOW, iso, snapshot } from '../helpers/snapshots.js';
import { tmpDir } from '../helpers/env.js';

const f = (detector: string, subject = 'proj', message = 'm'): Finding => ({ detector, subject, message, context: {} });
const ALL = new Set(['oauth_fail', 'hung', 'disk_warning', 'host_unreachable']);

test('alerts: raised once per host + detector + subject, resolved when gone, other hosts untouched', () => {
  const t0 = new Date(NOW);
  const a = transition(new Map(), 'pi', [f('oauth_fail', 'proj', '1 round'), f('oauth_fail', 'proj', 'dup')], ALL, t0);
  assert.equal(a.raised.length, 1);
  const b = transition(a.active, 'nas', [f('oauth_fail')], ALL, t0);
  assert.equal(b.raised.length, 1, 'another host is another alert');
  // a changing number in the message does not raise again; the message is refreshed
  const c = transition(b.active, 'pi', [f('oauth_fail', 'proj', '5 rounds')], ALL, t0);
  assert.equal(c.raised.length, 0);
  assert.equal(c.active.get(alertKey('pi', 'oauth_fail', 'proj'))!.message, '5 rounds');
  assert.equal(c.active.get(alertKey('pi', 'oauth_fail', 'proj'))!.raised_at, iso(NOW));
  const d = transition(c.active, 'pi', [], ALL, t0);
  assert.deepEqual(d.resolved.map((x) => x.host), ['pi']);
  assert.equal(d.active.size, 1, 'nas still active');
  // a detector that did not run (host unreachable) resolves nothing
  const e = transition(b.active, 'pi', [f('host_unreachable', 'snapshot')], new Set(['host_unreachable']), t0);
  assert.equal(e.resolved.length, 0);
  assert.equal(e.raised.length, 1);
});

test('evaluate: a failed fetch runs only host_unreachable; a good one runs them all', () => {
  const t = defaultThresholds();
  const bad = evaluate({ snapshots: [snapshot()], fetch: { ok: false, error: 'x', failures: 1 }, t, now: new Date(NOW) });
  assert.deepEqual([...bad.evaluated], ['host_unreachable']);
  assert.deepEqual(bad.findings.map((x) => x.detector), ['host_unreachable']);
  const good = evaluate({ snapshots: [snapshot()], fetch: { ok: true, error: null, failures: 0 }, t, now: new Date(NOW) });
  assert.ok(good.evaluated.size > 10);
  assert.deepEqual(good.findings, [], 'a healthy snapshot raises nothing');
});

test('the alert store persists atomically (0600) and a restarted monitor does not raise again', () => {
  const dir = tmpDir('ar-mon-');
  const file = path.join(dir, 'monitor-alerts.json');
  const s1 = fileStore(file);
  s1.active = transition(s1.active, 'h', [f('hung')], ALL, new Date(NOW)).active;
  s1.save();
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const s2 = fileStore(file);
  assert.equal(transition(s2.active, 'h', [f('hung')], ALL, new Date(NOW)).raised.length, 0);
  fs.writeFileSync(file, '{torn');
  assert.equal(fileStore(file).active.size, 0, 'a corrupt file starts empty');
  // no state dir yet: nothing is written
  const none = fileStore(path.join(dir, 'missing', 'monitor-alerts.json'));
  none.save();
  assert.ok(!fs.existsSync(path.join(dir, 'missing')));
});

test('hosts: no leading -, no spaces, shell characters or newlines', () => {
  for (const ok of ['pi', 'pi.local', 'root@10.0.0.2', '[::1]', 'build-01_x']) assert.equal(checkHost(ok), ok);
  for (const bad of ['-oProxyCommand=sh', 'a b', 'pi;rm', 'pi\nx', '$(x)', 'a`b`', '', "pi'", 'a|b', 'a>b']) {
    assert.throws(() => checkHost(bad), UserError, JSON.stringify(bad));
  }
});

test('ssh options: K=V, one line, none that runs a local command or that the monitor sets', () => {
  assert.equal(checkSshOption('Port=2222'), 'Port=2222');
  assert.equal(checkSshOption('UserKnownHostsFile=/tmp/a b/known'), 'UserKnownHostsFile=/tmp/a b/known');
  for (const bad of ['Port', '=x', 'Port=', 'ProxyCommand=sh -c x', 'localcommand=x', 'ControlPath=/tmp/x', 'Port=22\nProxyCommand=x', 'Port=-1', 'Po rt=1']) {
    assert.throws(() => checkSshOption(bad), UserError, JSON.stringify(bad));
  }
});

test('--remote-command is split into words; remote words are quoted for the remote shell', () => {
  assert.deepEqual(splitCommand('agent-runner'), ['agent-runner']);
  assert.deepEqual(splitCommand(`node "/a b/bin/agent-runner.js"`), ['node', '/a b/bin/agent-runner.js']);
  assert.throws(() => splitCommand('  '), UserError);
  // what the remote shell makes of the quoted words is the words themselves
  const words = ['peek', '--json', '/a b/c', "it's", '$(touch /tmp/x)', 'a;b', '*'];
  const out = execFileSync('sh', ['-c', `printf '%s\\n' ${words.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
  assert.deepEqual(out.split('\n').slice(0, -1), words);
});

test('back-off doubles from the interval up to a cap; history is bounded in count and age', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 9].map((k) => backoffS(k, 10)), [10, 20, 40, 80, 80, 80]);
  assert.equal(backoffS(20, 120), 600);
  assert.equal(backoffS(3, 1000), 1000, 'never shorter than the interval');
  const snaps = Array.from({ length: 30 }, (_, i) => snapshot({ generated_at: iso(NOW - (29 - i) * 60_000) }));
  assert.equal(trimHistory(snaps, 3600).length, HISTORY_MAX);
  assert.equal(trimHistory(snaps, 300).length, 6);
});

test('thresholds: defaults from the schema; auto_stop_on names eligible detectors; disk limits in order', () => {
  const t = defaultThresholds();
  assert.deepEqual(t.auto_stop_on, ['oauth_fail', 'disk_critical']);
  assert.equal(t.hung_factor, 1.5);
  assert.throws(() => checkThresholds({ ...t, auto_stop_on: ['oauth_fial'] }, 'f'), ConfigError);
  assert.throws(() => checkThresholds({ ...t, auto_stop_on: ['rate_limit_active'] }, 'f'), /cannot stop serve/);
  assert.throws(() => checkThresholds({ ...t, disk_warning_pct: 96 }, 'f'), /disk_critical_pct/);
  // monitor.hosts reach a shell's completion: names as --host takes them, nothing a shell would expand
  assert.deepEqual(checkThresholds({ ...t, hosts: ['pi', 'agent@10.0.0.2'] }, 'f').hosts, ['pi', 'agent@10.0.0.2']);
  assert.throws(() => checkThresholds({ ...t, hosts: ['pi', '$(reboot)'] }, 'f'), /^Error: f: `monitor.hosts`: "\$\(reboot\)": use letters|monitor\.hosts/);
  assert.throws(() => checkThresholds({ ...t, hosts: ['-oProxyCommand=x'] }, 'f'), ConfigError);
  assert.deepEqual(checkThresholds(undefined, 'f'), t);
});

test('output: one line for people with severity; NDJSON with the documented fields', () => {
  const a = transition(new Map(), 'pi', [f('oauth_fail', 'proj', 'auth failed')], ALL, new Date(NOW)).raised[0];
  a.auto_action = { action: 'stop', result: 'stopped', detail: 'stopped; round 3', at: iso(NOW) };
  const line = toLine(a, 'raised', new Date(NOW));
  const h = humanLine(line);
  assert.match(h, /CRITICAL +raised +pi oauth_fail: auth failed \[auto-stop: stopped/);
  assert.ok(!h.includes('\n'));
  const j = JSON.parse(jsonLine(line));
  for (const k of ['severity', 'detector', 'state', 'message', 'context', 'host', 'ts', 'auto_action']) assert.ok(k in j, k);
  assert.equal(toLine(a, 'resolved', new Date(NOW)).auto_action, null);
});

test('a snapshot from elsewhere is checked before the detectors see it', () => {
  assert.ok(checkSnapshot(JSON.parse(JSON.stringify(snapshot()))));
  assert.throws(() => checkSnapshot({ ...snapshot(), schema_version: 3 }), /schema_version 3 \(this monitor reads 1, 2\)/);
  // a host that runs an older agent-runner still answers version 1, without service.first_round
  const v1 = snapshot();
  delete v1.service.first_round;
  assert.equal(checkSnapshot({ ...v1, schema_version: 1 }).schema_version, 1);
  assert.throws(() => checkSnapshot({ schema_version: 1 }), /fields missing/);
  assert.throws(() => checkSnapshot([]), /not a snapshot/);
});
