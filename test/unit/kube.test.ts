// The pure parts of the Kubernetes support: what the probes answer (snapshot/probe.ts), how a pod list is
// read (monitor/remote/kubectl.ts), which probe command lines take the fast path (cli/fast-path.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { judgeProbe, type ProbeInputs } from '../../src/snapshot/probe.js';
import { parsePodList } from '../../src/monitor/remote/kubectl.js';
import { parseFast } from '../../src/cli/fast-path.js';
import type { StatusFile } from '../../src/state/status.js';
import { REPO_ROOT } from '../helpers/env.js';

const NOW = Date.parse('2026-12-06T10:00:00Z');
const hb = (ageS: number) => ({ pid: 42, starttime: 1, since: '2026-12-06T09:00:00Z', beat: NOW - ageS * 1000 });
const st = (s: Partial<StatusFile>): StatusFile =>
  ({ state: 'running', mode: 'serve', pid: 42, started: '', updated: '', round: null, last: null, waiting: null, config_changed: false, ...s }) as StatusFile;

test('judgeProbe: live is a fresh heartbeat of a live serve; ready is live and running, never waiting', () => {
  const cases: Array<[string, ProbeInputs, boolean, boolean, RegExp]> = [
    ['no heartbeat', { heartbeat: null, writerAlive: false, status: null }, false, false, /no heartbeat/],
    ['writer gone', { heartbeat: hb(1), writerAlive: false, status: st({}) }, false, false, /is gone/],
    ['stale', { heartbeat: hb(61), writerAlive: true, status: st({}) }, false, false, /has not beaten for 61s \(limit 60s\)/],
    ['a round', { heartbeat: hb(5), writerAlive: true, status: st({ round: { n: 3, phase: null, started: '' } }) }, true, true, /round 3/],
    ['between rounds', { heartbeat: hb(5), writerAlive: true, status: st({}) }, true, true, /between rounds/],
    ['usage-limit wait', { heartbeat: hb(5), writerAlive: true, status: st({ state: 'waiting', waiting: { until: 'T', why: 'usage limit' } }) }, true, false, /waiting until T \(usage limit\)/],
    ['stopped (parked or stopping)', { heartbeat: hb(5), writerAlive: true, status: st({ state: 'stopped' }) }, true, false, /stopped/],
    ['status of another pid', { heartbeat: hb(5), writerAlive: true, status: st({ pid: 7 }) }, true, false, /starting/],
    ['clock stepped back', { heartbeat: hb(-3600), writerAlive: true, status: st({}) }, true, true, /heartbeat 0s ago|running/],
  ];
  for (const [name, i, live, ready, re] of cases) {
    const l = judgeProbe('live', i, NOW);
    const r = judgeProbe('ready', i, NOW);
    assert.equal(l.ok, live, `${name}: live (${l.line})`);
    assert.equal(r.ok, ready, `${name}: ready (${r.line})`);
    assert.match(ready ? r.line : live ? r.line : l.line, re, name);
    assert.ok(!l.line.includes('\n') && !r.line.includes('\n'), 'one line');
  }
  assert.equal(judgeProbe('live', { heartbeat: hb(100), writerAlive: true, status: null }, NOW, 120).ok, true, '--max-age');
});

test('parsePodList: kubectl get pods -o json as pods, with why one is not running', () => {
  const pods = parsePodList(fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'kube', 'get-pods.json'), 'utf8'));
  assert.deepEqual(
    pods.map((p) => [p.namespace, p.name, p.phase, p.reason]),
    [
      ['agents', 'proj-a-0', 'Running', null],
      ['agents', 'proj-b-0', 'Running', null],
      ['agents', 'proj-c-0', 'Pending', 'ContainerCreating'],
      ['agents', 'proj-d-0', 'Running', null],
      ['agents', 'proj-e-0', 'Running', null],
    ],
  );
  assert.throws(() => parsePodList('error: You must be logged in'), /not JSON/);
  assert.throws(() => parsePodList('{"kind":"Status"}'), /no item list/);
  assert.deepEqual(parsePodList('{"items":[{"metadata":{"name":"x","deletionTimestamp":"t"},"status":{"phase":"Running"}}]}')[0], {
    namespace: 'default', name: 'x', phase: 'Running', reason: null, terminating: true,
  });
});

test('parseFast: the probe command lines a pod runs take the fast path; anything else goes to commander', () => {
  assert.deepEqual(parseFast(['probe', 'live']), { verb: 'probe', kind: 'live', config: undefined, json: false, utc: false });
  assert.equal(parseFast(['--config', '/etc/a.toml', 'probe', 'ready'])?.config, '/etc/a.toml');
  for (const args of [['probe'], ['probe', 'dead'], ['probe', 'live', 'ready'], ['probe', 'live', '--json'], ['probe', 'live', '--max-age', '5'], ['live', 'probe']]) {
    assert.equal(parseFast(args), null, args.join(' '));
  }
});
