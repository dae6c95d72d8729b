// The snapshot's pure core: assembly from already-read data, --select paths, the watch frame, host parsers,
// and the shipped JSON Schema (validated with a tiny validator for the subset it uses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assembleSnapshot, type SnapshotData } from '../../src/snapshot/build.js';
import type { StatusReport } from '../../src/snapshot/status.js';
import { formatSelected, selectPath } from '../../src/cli/select-path.js';
import { frame } from '../../src/cli/watch-cmd.js';
import { fmtBytes, fmtDuration, renderSnapshot } from '../../src/cli/peek-render.js';
import { diskFromStatfs, parseMeminfo, parseVmRss } from '../../src/system/host.js';
import { UserError } from '../../src/errors.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import type { OpenRound, RoundRecord } from '../../src/state/types.js';
import { bareRecord } from '../../src/round/record.js';
import { schemaPaths, validate } from '../helpers/json-schema.js';
import { REPO_ROOT } from '../helpers/env.js';

const SCHEMA = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'snapshot.schema.json'), 'utf8'));
const SECRET = 'sk-ant-api03-XXXXsecretXXXX';
const NOW = Date.parse('2025-06-01T12:00:00Z');
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();
const sha = (c: string) => c.repeat(40);

function rec(n: number, o: Partial<RoundRecord> = {}): RoundRecord {
  return bareRecord({
    n,
    phase: null,
    start: iso((100 - n) * 60_000),
    end: iso((100 - n) * 60_000 - 30_000),
    duration_s: 30,
    exit_code: 0,
    outcome: 'ok',
    reason: null,
    pid: 1000 + n,
    ...o,
  });
}

const stopped: StatusReport = {
  project: 'p',
  state: 'stopped',
  pid: null,
  mode: null,
  uptime_s: null,
  round: null,
  last: null,
  waiting: null,
  config_changed: false,
  reason: null,
  exit_code: null,
  first_round: null,
  ends: null,
  killed: null,
  state_dir: '/s',
  budget: [],
  providers: [],
};

const open: OpenRound = {
  n: 8,
  phase: 'build',
  start: iso(90_000),
  supervisor_pid: 500,
  pid: 501,
  tag: 'tag-uuid',
  log: '/s/rounds/8.log',
  round_timeout_s: 1800,
  head_before: null,
};

function data(o: Partial<SnapshotData> = {}): SnapshotData {
  return {
    now: NOW,
    hostname: 'box',
    project: { name: 'p', work_dir: '/w', config_path: '/w/agent-runner.toml', state_dir: '/s' },
    status: stopped,
    heartbeat: null,
    open: null,
    records: [],
    rounds: 20,
    git: { tree: { head: sha('a'), branch: 'main', dirty_files: 0 }, stashes: [] },
    host: { disk: { path: '/s', used_pct: 50, free_bytes: 10, total_bytes: 20, inodes_used_pct: 5 }, mem_available_bytes: 1, mem_total_bytes: 2, load: [0, 0, 0] },
    agent: { processes: 0, rss_bytes: 0 },
    defenses: [{ name: 'd', layer: 'round', prevents: 'x' }],
    ...o,
  };
}

const running: StatusReport = { ...stopped, state: 'running', pid: 500, mode: 'serve', uptime_s: 600, round: { n: 8, phase: 'build', age_s: 90 } };

const CASES: Array<[string, SnapshotData, (s: Snapshot) => void]> = [
  [
    'stopped, nothing yet, no git',
    data({ git: { tree: null, stashes: null } }),
    (s) => {
      assert.equal(s.service.state, 'stopped');
      assert.equal(s.current_round, null);
      assert.deepEqual(s.rounds, []);
      assert.equal(s.orphan_stash, null);
      assert.equal(s.git, null);
      assert.equal(s.generated_at, '2025-06-01T12:00:00.000Z');
      assert.ok(!('events' in s), 'events only when asked for');
    },
  ],
  [
    'running a round: current_round from the open marker and the live status',
    data({ status: running, open, heartbeat: iso(1000), agent: { processes: 3, rss_bytes: 4096 } }),
    (s) => {
      assert.deepEqual(s.current_round, { n: 8, phase: 'build', age_s: 90, timeout_s: 1800, pid: 501, containment: 'sweep' });
      assert.equal(s.service.heartbeat, iso(1000));
      assert.deepEqual(s.host_sample.agent, { processes: 3, rss_bytes: 4096 });
    },
  ],
  [
    'an open marker without a live supervisor is not a current round',
    data({ status: { ...stopped, state: 'failed', reason: 'gone' }, open, agent: { processes: 1, rss_bytes: 10 } }),
    (s) => {
      assert.equal(s.current_round, null);
      assert.equal(s.service.state, 'failed');
      assert.equal(s.host_sample.agent.processes, 1, 'what is left of its tree is still sampled');
    },
  ],
  [
    'the newest N rounds, newest last',
    data({ records: Array.from({ length: 25 }, (_, i) => rec(i + 1)), rounds: 20 }),
    (s) => assert.deepEqual(s.rounds.map((r) => r.n), Array.from({ length: 20 }, (_, i) => i + 6)),
  ],
  [
    'orphan stash: the newest round stash still on the list, even older than the rounds shown',
    data({
      records: [rec(1, { stash_sha: sha('1') }), rec(2, { stash_sha: sha('2') }), rec(3), rec(4)],
      rounds: 1,
      git: { tree: null, stashes: [sha('9'), sha('1')] },
    }),
    (s) => assert.deepEqual(s.orphan_stash, { sha: sha('1'), round: 1 }),
  ],
  [
    'secrets redacted again: round reason, service reason, waiting why, events',
    data({
      records: [rec(1, { outcome: 'failed', category: 'auth', reason: `invalid key ${SECRET}` })],
      status: { ...stopped, reason: `ANTHROPIC_API_KEY=${SECRET}`, waiting: { until: iso(-1000), why: `key ${SECRET}` } },
      events: [{ ts: iso(0), kind: 'round_ended', round: 1, note: `x ${SECRET}` }],
    }),
    (s) => {
      assert.ok(!JSON.stringify(s).includes('secretXXXX'), JSON.stringify(s));
      assert.match(s.rounds[0].reason!, /invalid key \[REDACTED\]/);
      assert.equal(s.events?.length, 1);
    },
  ],
];

test('assembleSnapshot: table', () => {
  for (const [name, d, check] of CASES) {
    const s = assembleSnapshot(d);
    check(s);
    assert.deepEqual(validate(SCHEMA, s), [], `${name}: schema`);
    assert.ok(renderSnapshot(s).startsWith('p @ box: '), `${name}: renders`);
  }
});

test('the schema describes every field a fully populated snapshot has, and the validator catches drift', () => {
  const full = assembleSnapshot(
    data({
      status: {
        ...running,
        waiting: { until: iso(-5000), why: 'usage limit' },
        config_changed: true,
        reason: 'r',
        ends: { at: iso(-3600_000), why: 'until' },
        budget: [{ metric: 'cost_usd', window: 'per_day', limit: 20, used: 20.5, unpriced_rounds: 1, exhausted: true, frees_at: iso(-3600) }],
        progress: { last: { n: 1, commits: 1, files: 2, added: 3, removed: 1 }, rounds_since: 0 },
        providers: [
          { name: 'work', kind: 'anthropic', status: 'limited', until: iso(-3600), source: 'resets 1pm', why: null, hint: null, since: iso(0), today: { rounds: 3, tokens: 120_000, cost_usd: 1.2 } },
        ],
      },
      open,
      heartbeat: iso(0),
      records: [
        rec(1, {
          stash_sha: sha('1'),
          commits: [sha('c')],
          progress: { commits: 1, files: 2, added: 3, removed: 1, changed: true },
          retry_after: iso(-1000),
          phase: 'x',
          category: 'auth',
          reason: 'r',
          usage: { format: 'claude', model: 'm', input_tokens: 1, output_tokens: 2, cached_tokens: 3, cost_usd: 0.5, cost_source: 'agent', turns: 1, tool_calls: 0 },
          ended_by: 'result_grace',
          hooks: [{ hook: 'post_round', exit_code: null, signal: 'SIGKILL', duration_s: 2, timed_out: true, cancelled: false, killed: 1, error: null }],
          mark: 'tests_failed',
          session: { id: 's', resumed: 's', round: 2, why: 'continued', detail: 'd', unknown: true },
          containment: 'cgroup',
          memory_peak_bytes: 123456,
          tmp: { dir: '/run/user/1/agent-runner/p-01234567/round-1', files: 3, bytes: 12, kept: true, litter: { count: 1, bytes: 5, paths: ['/tmp/x'] }, exposed: ['/tmp/x'] },
          provider: 'work',
        }),
      ],
      containment: { kind: 'cgroup', why: 'w' },
      git: { tree: { head: sha('a'), branch: 'main', dirty_files: 2 }, stashes: [sha('1')] },
      events: [{ ts: iso(0), kind: 'round_ended', round: 1 }],
      tmpKept: { round: 1, dir: '/run/user/1/agent-runner/p-01234567/round-1' },
      backup: { remote: 'origin', ok: { at: iso(-60_000), round: 1 }, failed: { at: iso(0), round: 2, error: 'e', since: iso(-1000) } },
    }),
  );
  assert.deepEqual(validate(SCHEMA, full), []);
  // every path the schema names is produced (no dead schema entries) and the reverse (additionalProperties)
  const produced = new Set<string>();
  const walk = (v: unknown, p: string) => {
    if (p) produced.add(p);
    if (Array.isArray(v)) v.forEach((x) => walk(x, `${p}[]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, p ? `${p}.${k}` : k);
  };
  walk(full, '');
  for (const p of schemaPaths(SCHEMA)) assert.ok(produced.has(p), `schema names ${p}, the snapshot lacks it`);

  // the validator is not a rubber stamp
  const bad = JSON.parse(JSON.stringify(full));
  bad.service.extra = 1;
  delete bad.git.head;
  bad.rounds[0].outcome = 'exploded';
  bad.host_sample.load = [1, 2];
  bad.current_round.age_s = -1;
  const errs = validate(SCHEMA, bad);
  for (const want of ['unexpected property "extra"', 'missing required "head"', '"exploded" not one of', 'fewer than 3', 'minimum'])
    assert.ok(errs.some((e) => e.includes(want)), `no error like ${want}: ${errs.join('; ')}`);
  assert.throws(() => validate({ type: 'string', format: 'date-time' }, 'a'), /outside the validator's subset/);
});

test('docs/snapshot.md documents every field of the schema', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'snapshot.md'), 'utf8');
  for (const p of schemaPaths(SCHEMA)) assert.ok(doc.includes(`\`${p}\``), `docs/snapshot.md does not mention \`${p}\``);
});

const SNAP = assembleSnapshot(data({ records: [rec(1, { commits: [sha('c')] }), rec(2)] }));

test('--select: values by dotted path; a bad path names the bad segment, exit 2', () => {
  const ok: Array<[string, unknown]> = [
    ['service.state', 'stopped'],
    ['rounds.0.n', 1],
    ['rounds.1.exit_code', 0],
    ['rounds.0.commits.0', sha('c')],
    ['git.branch', 'main'],
    ['current_round', null],
    ['host_sample.load', [0, 0, 0]],
  ];
  for (const [p, want] of ok) assert.deepEqual(selectPath(SNAP, p), want, p);

  const bad: Array<[string, RegExp]> = [
    ['foo', /^no "foo" in snapshot \(keys: schema_version, /],
    ['service.foo', /^no "foo" in snapshot\.service \(/],
    ['service.state.x', /^no "x" in snapshot\.service\.state \(string\)/],
    ['current_round.n', /^no "n" in snapshot\.current_round \(null\)/],
    ['rounds.2', /^no "2" in snapshot\.rounds \(a list of 2/],
    ['rounds.-1', /^no "-1" in snapshot\.rounds/],
    ['rounds.01', /^no "01" in snapshot\.rounds/],
    ['rounds.first', /^no "first" in snapshot\.rounds/],
    ['service..state', /^no "" in snapshot\.service/],
    ['', /needs a path/],
  ];
  for (const [p, re] of bad) {
    assert.throws(
      () => selectPath(SNAP, p),
      (e: unknown) => e instanceof UserError && e.exitCode === 2 && re.test(e.message),
      `path "${p}"`,
    );
  }
  assert.equal(formatSelected('running', true), 'running');
  assert.equal(formatSelected(42, false), '42');
  assert.equal(formatSelected(null, true), 'null');
  assert.equal(formatSelected({ a: 1 }, false), '{"a":1}');
  assert.equal(formatSelected([1], true), '[\n  1\n]');
});

test('watch frame: home, overwrite each line, clear the rest; cut to the terminal; never a full clear', () => {
  const text = ['short', 'x'.repeat(100), 'third', 'fourth'].join('\n') + '\n';
  const f = frame(text, 4, 20);
  assert.ok(f.startsWith('\x1b[H'));
  assert.ok(f.endsWith('\x1b[J'));
  assert.ok(!f.includes('\x1b[2J'), 'no full-screen clear (flicker)');
  const lines = f.slice(3, -3).split('\r\n').filter((l) => l !== '');
  assert.equal(lines.length, 3, 'rows - 1 lines: the last row stays free so the screen never scrolls');
  for (const l of lines) {
    assert.ok(l.endsWith('\x1b[K'));
    assert.ok([...l.replace('\x1b[K', '')].length <= 20, l);
  }
  assert.equal(lines[1], 'x'.repeat(19) + '…\x1b[K');
});

test('host parsers and formats', () => {
  assert.deepEqual(parseMeminfo('MemTotal:       16318480 kB\nMemFree:  1 kB\nMemAvailable:   8000000 kB\n'), {
    total: 16318480 * 1024,
    available: 8000000 * 1024,
  });
  assert.deepEqual(parseMeminfo('MemTotal: 10 kB\n'), { total: 10240, available: null });
  assert.equal(parseVmRss('Name:\tbash\nVmRSS:\t    3456 kB\n'), 3456 * 1024);
  assert.equal(parseVmRss('Name:\tkthreadd\n'), 0);
  // df: 100 blocks, 40 free of which 30 usable by non-root → used 60 of 90
  assert.deepEqual(diskFromStatfs('/x', 4096, 100, 40, 30), { path: '/x', used_pct: 66.7, free_bytes: 30 * 4096, total_bytes: 100 * 4096 });
  // inodes: in use over all; a filesystem that reports none has no figure
  assert.equal(diskFromStatfs('/x', 4096, 100, 40, 30, 400, 0).inodes_used_pct, 100);
  assert.equal(diskFromStatfs('/x', 4096, 100, 40, 30, 400, 300).inodes_used_pct, 25);
  assert.equal(diskFromStatfs('/x', 4096, 100, 40, 30, 0, 0).inodes_used_pct, undefined);
  assert.equal(fmtDuration(59), '59s');
  assert.equal(fmtDuration(61), '1m01s');
  assert.equal(fmtDuration(3 * 3600 + 120), '3h02m');
  assert.equal(fmtDuration(90000), '1d01h');
  assert.equal(fmtBytes(512), '512 B');
  assert.equal(fmtBytes(1536), '1.5 KiB');
});
