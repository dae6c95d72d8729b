// The bench runs and prints its table. A smoke test only: no figure is asserted (benchmarks are never
// timed assertions), but the kill case must leave no survivor, which is correctness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../helpers/env.js';

const BENCH = path.join(REPO_ROOT, 'build', 'bench', 'run.js');

test('bench --quick prints the machine and a table with its floors', { timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, [BENCH, '--quick', '--only', '1,5'], { encoding: 'utf8', timeout: 110_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^- cpu: .+, \d+ cores/m);
  assert.match(r.stdout, /^- node: v\d+/m);
  assert.match(r.stdout, /^\| # \| measure \| median \(min–max\) \| floor, same run \|/m);
  const rows = r.stdout.split('\n').filter((l) => /^\| \d \|/.test(l));
  const status = rows.find((l) => l.includes('`status --json`') && !l.includes('bundle'));
  assert.ok(status, r.stdout);
  assert.match(status, /node -e 0: \d+\.\d ms/, 'status is measured beside its floor');
  const kill = rows.find((l) => l.startsWith('| 5 |'));
  assert.ok(kill && !kill.includes('failed'), r.stdout);
  assert.match(r.stdout, /0 survivor\(s\) over 2 runs/);
  // sections not asked for are not run
  assert.ok(!rows.some((l) => l.startsWith('| 6 |')));
});

test('bench refuses to --write a partial run', () => {
  const r = spawnSync(process.execPath, [BENCH, '--quick', '--write'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--write records the full run only/);
});
