// `monitor --once` as a check an operator (or cron) runs: one line per detector, ok or its finding, so that
// "all is well" is something it says, not silence. A serve halted by the crash-loop breaker raises an alert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DETECTORS } from '../../src/monitor/registry.js';
import type { AlertLine } from '../../src/monitor/types.js';
import { makeProject } from '../helpers/project.js';

const lines = (out: string): AlertLine[] => out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as AlertLine);

test('monitor --once on a healthy project: one ok line per detector, in the registry order', () => {
  const p = makeProject({ agent: 'succeed.sh' });
  assert.equal(p.run(['round']).code, 0);
  const j = p.run(['monitor', '--once', '--json']);
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(lines(j.stdout).map((l) => [l.detector, l.state]), DETECTORS.map((d) => [d.name, 'ok']));
  const h = p.run(['monitor', '--once']).stdout.trim().split('\n');
  assert.equal(h.length, DETECTORS.length);
  for (const [i, d] of DETECTORS.entries()) assert.match(h[i], new RegExp(`^\\d\\d:\\d\\d:\\d\\d \\S+ OK +ok +\\S+ ${d.name}$`));
});

test('a serve halted by the crash-loop breaker raises crash_loop; a second --once says it is still active', () => {
  const p = makeProject({ agent: 'fail.sh', serveToml: 'crash_loop_threshold = 2\nbackoff_base_s = 0.1\nbackoff_max_s = 1' });
  const s = p.run(['serve']);
  assert.equal(s.code, 3, s.stderr);
  assert.match(s.stderr, /crash loop/);
  const first = lines(p.run(['monitor', '--once', '--json']).stdout).find((l) => l.detector === 'crash_loop');
  assert.equal(first?.state, 'raised', JSON.stringify(first));
  assert.equal(first?.severity, 'critical');
  assert.match(first?.message ?? '', /^crash loop: 2 quick failures/);
  const again = p.run(['monitor', '--once']).stdout;
  assert.match(again, /CRITICAL +active +\S+ crash_loop: crash loop: 2 quick failures/);
});
