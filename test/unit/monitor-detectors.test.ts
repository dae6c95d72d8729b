// Every detector on fixture snapshots: it fires, it stays quiet where it should, and its alert resolves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DETECTORS, detectorByName } from '../../src/monitor/registry.js';
import { defaultThresholds } from '../../src/monitor/thresholds.js';
import { transition } from '../../src/monitor/alerts.js';
import type { FetchState, Thresholds } from '../../src/monitor/types.js';
import type { Snapshot, SnapshotRound } from '../../src/snapshot/types.js';
import { NOW, iso, round, rounds, snapshot, withStash } from '../helpers/snapshots.js';
import { REPO_ROOT } from '../helpers/env.js';

const OK_FETCH: FetchState = { ok: true, error: null, failures: 0 };

interface Case {
  /** each must make the detector fire */
  fires: Snapshot[];
  /** each must keep it quiet */
  quiet: Snapshot[];
  /** a later snapshot after which the raised alert is resolved */
  resolvedBy: Snapshot;
  t?: Partial<Thresholds>;
  fetch?: { fires: FetchState; quiet: FetchState };
}

function run(name: string, s: Snapshot | null, c: Case, fetch: FetchState = OK_FETCH) {
  const t = { ...defaultThresholds(), ...(c.t ?? {}) };
  return detectorByName(name)!.detect({ snapshots: s ? [s] : [], fetch, t, now: new Date(NOW) });
}

function check(name: string, c: Case): void {
  assert.ok(detectorByName(name), `${name} is in the registry`);
  c.fires.forEach((s, i) => {
    const f = run(name, s, c, c.fetch?.fires);
    assert.equal(f.length, 1, `${name}: fires case ${i + 1}`);
    assert.equal(f[0].detector, name);
    assert.ok(f[0].message.length > 0 && !f[0].message.includes('\n'), 'one-line message');
  });
  c.quiet.forEach((s, i) => assert.deepEqual(run(name, s, c, c.fetch?.quiet), [], `${name}: quiet case ${i + 1}`));
  // the alert: raised once, not again while the condition lasts (the message may change), then resolved
  const evaluated = new Set([name]);
  const first = transition(new Map(), 'h', run(name, c.fires[0], c, c.fetch?.fires), evaluated, new Date(NOW));
  assert.equal(first.raised.length, 1);
  const again = transition(first.active, 'h', run(name, c.fires.at(-1)!, c, c.fetch?.fires), evaluated, new Date(NOW + 60_000));
  assert.equal(again.raised.length, 0, `${name}: not raised twice`);
  assert.equal(again.active.size, 1);
  const end = transition(again.active, 'h', run(name, c.resolvedBy, c, c.fetch?.quiet), evaluated, new Date(NOW + 120_000));
  assert.equal(end.resolved.length, again.active.size, `${name}: resolved`);
  assert.equal(end.active.size, 0);
}

const timedOut = (n: number) => rounds(Array.from({ length: n }, () => 'timeout' as const));

test('timeout_rate: fires, stays quiet, resolves', () => {
  check('timeout_rate', {
    fires: [
      snapshot({ rounds: rounds(['ok', 'timeout', 'timeout', 'ok', 'timeout']) }),
      snapshot({ rounds: timedOut(3) }),
    ],
    quiet: [
      snapshot({ rounds: rounds(['ok', 'ok', 'timeout', 'ok']) }), // 25% < 50%
      snapshot({ rounds: timedOut(2) }), // fewer than min_rounds
      // timeouts outside the time window
      snapshot({ rounds: [round(1, 'timeout', { agoS: 7200 }), round(2, 'timeout', { agoS: 7100 }), round(3, 'timeout', { agoS: 7000 }), round(4, 'ok')] }),
      snapshot({ rounds: rounds(['cancelled', 'cancelled', 'timeout']) }), // cancelled rounds do not count
    ],
    resolvedBy: snapshot({ rounds: rounds(['timeout', 'timeout', 'timeout', 'ok', 'ok', 'ok', 'ok']) }),
  });
});

test('hung: fires, stays quiet, resolves', () => {
  const open = (age_s: number) => ({ n: 7, phase: null, age_s, timeout_s: 600, pid: 99 });
  check('hung', {
    fires: [snapshot({ current_round: open(901) }), snapshot({ current_round: { ...open(5000), n: 8 } })],
    quiet: [snapshot({ current_round: open(899) }), snapshot({ current_round: null })],
    resolvedBy: snapshot({ current_round: null }),
  });
});

test('orphan_chain: fires, stays quiet, resolves', () => {
  check('orphan_chain', {
    fires: [
      snapshot({ rounds: rounds(['ok', ['ok', withStash()], ['failed', withStash()], ['ok', withStash()]]) }),
      snapshot({ rounds: rounds(Array.from({ length: 6 }, () => ['ok', withStash()] as ['ok', ReturnType<typeof withStash>])) }),
    ],
    quiet: [
      snapshot({ rounds: rounds([['ok', withStash()], ['ok', withStash()], 'ok']) }), // broken by the newest
      snapshot({ rounds: rounds([['ok', withStash()], ['ok', withStash()]]) }), // only 2
      snapshot({ rounds: rounds([['ok', withStash()], 'ok', ['ok', withStash()], ['ok', withStash()]]) }),
    ],
    resolvedBy: snapshot({ rounds: rounds([['ok', withStash()], ['ok', withStash()], ['ok', withStash()], 'ok']) }),
  });
});

/** a round that had a temp dir, with `n` files of litter left in /tmp (0: none) */
const litter = (n: number): Partial<SnapshotRound> => ({
  tmp: { files: 1, bytes: 10, kept: false, litter: { count: n, bytes: n * 100, paths: n ? [`/tmp/leak-${n}`] : [] }, exposed: [] },
});

test('tmp_litter: fires, stays quiet, resolves', () => {
  const L = (n: number) => ['ok', litter(n)] as ['ok', Partial<SnapshotRound>];
  check('tmp_litter', {
    fires: [
      snapshot({ rounds: rounds(['ok', L(1), ['failed', litter(2)], L(1)]) }),
      snapshot({ rounds: rounds([L(1), L(3), 'preflight_failed', L(2)]) }), // a round without a temp dir does not break the chain
    ],
    quiet: [
      snapshot({ rounds: rounds([L(1), L(1), L(0)]) }), // the newest left nothing
      snapshot({ rounds: rounds([L(1), L(1)]) }), // only 2
      snapshot({ rounds: rounds(['ok', 'ok', 'ok', 'ok']) }), // records from before temp dirs
    ],
    resolvedBy: snapshot({ rounds: rounds([L(1), L(1), L(1), L(0)]) }),
  });
  const [f] = detectorByName('tmp_litter')!.detect({ snapshots: [snapshot({ rounds: rounds([L(1), L(2), L(3)]) })], fetch: OK_FETCH, t: defaultThresholds(), now: new Date(NOW) });
  assert.equal(f.message, 'the last 3 rounds each left files in /tmp or /var/tmp (6 files, 600 bytes in all): /tmp/leak-3 /tmp/leak-2 /tmp/leak-1');
  assert.deepEqual(f.context.rounds, [1, 2, 3]);
});

const disk = (used_pct: number) => ({ disk: { path: '/s', used_pct, free_bytes: (100 - used_pct) * 1e9, total_bytes: 100e9 } });

test('disk_warning: fires, stays quiet, resolves', () => {
  check('disk_warning', {
    fires: [snapshot({ host_sample: disk(85) }), snapshot({ host_sample: disk(99) })],
    quiet: [snapshot({ host_sample: disk(84.9) }), snapshot({ host_sample: { disk: null } })],
    resolvedBy: snapshot({ host_sample: disk(60) }),
  });
});

test('disk_critical: fires, stays quiet, resolves', () => {
  check('disk_critical', {
    fires: [snapshot({ host_sample: disk(95) }), snapshot({ host_sample: disk(100) })],
    quiet: [snapshot({ host_sample: disk(90) }), snapshot({ host_sample: { disk: null } })],
    resolvedBy: snapshot({ host_sample: disk(80) }),
    t: {},
  });
  // thresholds are configurable
  assert.deepEqual(run('disk_critical', snapshot({ host_sample: disk(95) }), { fires: [], quiet: [], resolvedBy: snapshot(), t: { disk_critical_pct: 98 } }), []);
});

test('disk_critical and disk_warning: a disk out of inodes is full, whatever its bytes say (issue 19)', () => {
  const inodes = (pct: number) => ({ disk: { path: '/s', used_pct: 10, free_bytes: 90e9, total_bytes: 100e9, inodes_used_pct: pct } });
  check('disk_critical', {
    fires: [snapshot({ host_sample: inodes(96) }), snapshot({ host_sample: inodes(100) })],
    quiet: [snapshot({ host_sample: inodes(50) })],
    resolvedBy: snapshot({ host_sample: inodes(20) }),
    t: {},
  });
  const [f] = run('disk_critical', snapshot({ host_sample: inodes(100) }), { fires: [], quiet: [], resolvedBy: snapshot(), t: {} });
  assert.match(f!.message, /inodes/);
});

test('mem_pressure: fires, stays quiet, resolves', () => {
  const mem = (avail: number) => ({ mem_available_bytes: avail, mem_total_bytes: 16e9 });
  check('mem_pressure', {
    fires: [snapshot({ host_sample: mem(1e9) }), snapshot({ host_sample: mem(0) })],
    quiet: [snapshot({ host_sample: mem(2e9) }), snapshot({ host_sample: { mem_available_bytes: null, mem_total_bytes: null } })],
    resolvedBy: snapshot({ host_sample: mem(8e9) }),
  });
});

const auth = (reason = 'exit 1: Not logged in'): ['failed', Partial<ReturnType<typeof round>>] => ['failed', { category: 'auth', reason }];

test('oauth_fail: fires, stays quiet, resolves', () => {
  check('oauth_fail', {
    fires: [
      snapshot({ rounds: rounds(['ok', auth()]) }),
      snapshot({ rounds: rounds(['ok', auth(), auth(), ['cancelled', {}]]) }),
      // serve is not running: the failures since the last ok round still stand (and stop nothing)
      snapshot({ service: { state: 'failed', pid: null, mode: null, uptime_s: null }, rounds: rounds([auth(), auth()]) }),
    ],
    quiet: [
      snapshot({ rounds: rounds([auth(), auth(), 'ok']) }),
      // serve was restarted after the failures (up 30 s): they are history, however many
      snapshot({ service: { uptime_s: 30 }, rounds: rounds([auth(), auth(), auth()]) }),
      // the newest failure started within the 0.5 s rounding margin of the computed start: still history
      snapshot({ service: { uptime_s: 60 }, rounds: [round(1, 'failed', { category: 'auth', agoS: 59.6, dur: 0.2 })] }),
      snapshot({ rounds: rounds([auth(), 'ok', ['failed', { category: 'network' }]]) }),
    ],
    // the restarted serve's own rounds succeed
    resolvedBy: snapshot({ service: { uptime_s: 30 }, rounds: [...rounds([auth(), auth()]).map((r) => ({ ...r, start: iso(NOW - 600_000), end: iso(NOW - 590_000) })), round(3, 'ok', { dur: 5 })] }),
  });
  // but a restarted serve that fails again is caught
  const again = snapshot({ service: { uptime_s: 30 }, rounds: [round(1, 'failed', { category: 'auth', agoS: 600 }), round(2, 'failed', { category: 'auth', dur: 5 })] });
  assert.equal(run('oauth_fail', again, { fires: [], quiet: [], resolvedBy: again }).length, 1);
});

test('oauth_fail counts the running serve\'s rounds by number (snapshot version 2), whatever a clock step did to their times', () => {
  const c = { fires: [], quiet: [], resolvedBy: snapshot() };
  // serve (up 30 s) started at round 3; the wall clock then stepped back an hour: its rounds 3 and 4 carry
  // start times from before its start, which the time-based window of version 1 took for history
  const stepped = [round(1, 'failed', { category: 'auth', agoS: 7200 }), ...[3, 4].map((n) => round(n, 'failed', { category: 'auth', agoS: 3000 - n }))];
  const v2 = snapshot({ service: { uptime_s: 30, first_round: 3 }, rounds: stepped });
  const f = run('oauth_fail', v2, c);
  assert.equal(f.length, 1);
  assert.deepEqual(f[0].context.rounds, [3, 4]);
  // the rounds before serve's first are history, however they are timed
  assert.deepEqual(run('oauth_fail', snapshot({ service: { uptime_s: 30, first_round: 5 }, rounds: stepped }), c), []);
  // version 1 (no first_round): the old window by start time, which misses them
  assert.deepEqual(run('oauth_fail', snapshot({ service: { uptime_s: 30 }, rounds: stepped }), c), []);
});

test('network_fail: fires, stays quiet, resolves', () => {
  const net: ['failed', { category: 'network' }] = ['failed', { category: 'network' }];
  check('network_fail', {
    fires: [snapshot({ rounds: rounds(['ok', net, net, net]) }), snapshot({ rounds: rounds([net, ['failed', { category: 'auth' }], net, net]) })],
    quiet: [snapshot({ rounds: rounds(['ok', net, net]) }), snapshot({ rounds: rounds([net, net, net, 'ok']) })],
    resolvedBy: snapshot({ rounds: rounds([net, net, net, 'ok']) }),
  });
});

test('smoke_fail_rate: fires, stays quiet, resolves', () => {
  check('smoke_fail_rate', {
    fires: [
      snapshot({ rounds: rounds(['ok', 'ok', 'preflight_failed']) }), // the newest failed: serve exited 78
      snapshot({ rounds: rounds(['preflight_failed', 'preflight_failed', 'ok', 'preflight_failed', 'ok']) }), // 60%
    ],
    quiet: [snapshot({ rounds: rounds(['preflight_failed', 'ok', 'ok', 'ok']) }), snapshot({ rounds: [] })],
    resolvedBy: snapshot({ rounds: rounds(['preflight_failed', 'ok', 'ok', 'ok', 'ok']) }),
  });
});

test('rate_limit_active: fires, stays quiet, resolves', () => {
  const until = iso(NOW + 3600_000);
  const limited: ['failed', { category: 'usage_limit'; retry_after: string }] = ['failed', { category: 'usage_limit', retry_after: until }];
  check('rate_limit_active', {
    fires: [
      snapshot({ service: { state: 'waiting' }, waiting: { until, why: `round 3 failed usage_limit: resets at ${until}` }, rounds: rounds(['ok', 'ok', limited]) }),
      snapshot({ service: { state: 'waiting' }, waiting: { until, why: 'round 3 failed rate_limit: external condition, back-off 2' }, rounds: rounds(['ok', ['failed', { category: 'rate_limit' }]]) }),
    ],
    quiet: [
      snapshot({ service: { state: 'waiting' }, waiting: { until, why: 'round 3 ok' }, rounds: rounds(['ok']) }), // the restart delay
      snapshot({ service: { state: 'running' }, rounds: rounds(['ok', limited]) }),
    ],
    resolvedBy: snapshot({ rounds: rounds(['ok', limited, 'ok']) }),
  });
});

test('supervisor_stale: fires, stays quiet, resolves', () => {
  const gone = 'the supervisor (pid 4242) is gone without recording its exit; the next start recovers its round';
  check('supervisor_stale', {
    fires: [
      snapshot({ service: { state: 'failed', pid: null, mode: null, uptime_s: null, reason: gone } }),
      snapshot({ service: { heartbeat: iso(NOW - 1000_000) } }),
    ],
    quiet: [
      snapshot({ service: { state: 'failed', pid: null, mode: null, uptime_s: null, reason: 'crash loop: 5 quick failures' } }),
      snapshot({ service: { heartbeat: iso(NOW - 1000_000) }, current_round: { n: 4, phase: null, age_s: 1000, timeout_s: 1800, pid: 5 } }),
      snapshot({ service: { state: 'stopped', pid: null, mode: null, uptime_s: null, heartbeat: iso(NOW - 9e6) } }),
    ],
    resolvedBy: snapshot({ service: { heartbeat: iso(NOW - 1000) } }),
  });
});

test('crash_loop: fires, stays quiet, resolves', () => {
  const halted = (reason: string, exit_code = 3) => snapshot({ service: { state: 'failed', pid: null, mode: null, uptime_s: null, reason, exit_code } });
  check('crash_loop', {
    fires: [halted('crash loop: 5 quick failures in a row (rounds 1, 2, 3, 4, 5, each under 10s)')],
    quiet: [
      snapshot(),
      halted('auth failure: Not logged in'), // oauth_fail's
      halted('crash loop: 5 quick failures', 1), // not a halt
      snapshot({ service: { state: 'stopped', pid: null, mode: null, uptime_s: null, reason: 'stop file', exit_code: 0 } }),
    ],
    resolvedBy: snapshot(), // started again
  });
});

test('host_unreachable: fires, stays quiet, resolves', () => {
  check('host_unreachable', {
    fires: [snapshot()],
    quiet: [snapshot()],
    resolvedBy: snapshot(),
    fetch: { fires: { ok: false, error: 'ssh pi failed: Connection refused', failures: 2 }, quiet: OK_FETCH },
  });
});

test('the registry: unique names, a severity, each names a test here that exists', () => {
  const names = DETECTORS.map((d) => d.name);
  assert.equal(new Set(names).size, names.length);
  for (const want of ['timeout_rate', 'hung', 'orphan_chain', 'disk_warning', 'disk_critical', 'mem_pressure', 'oauth_fail', 'network_fail', 'smoke_fail_rate', 'rate_limit_active', 'supervisor_stale', 'host_unreachable', 'tmp_litter']) {
    assert.ok(names.includes(want), want);
  }
  for (const d of DETECTORS) {
    const src = fs.readFileSync(path.join(REPO_ROOT, d.test.file), 'utf8');
    assert.ok(src.includes(`test('${d.test.name}'`), `${d.name}: no test named "${d.test.name}" in ${d.test.file}`);
    assert.ok(['critical', 'warning', 'info'].includes(d.severity));
  }
  assert.ok(detectorByName('oauth_fail')!.autoStop && detectorByName('disk_critical')!.autoStop);
});
