// `./build.sh demo` (templates/demo/run-demo.sh) runs, shows what it promises, and its transcript in
// docs/demo.md is what it prints today: times, durations, SHAs, paths and epoch seconds normalized.
// After a change to the demo or to what agent-runner prints: AGENT_RUNNER_UPDATE_DEMO=1 on this test rewrites it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, tmpDir } from '../helpers/env.js';

const DOC = path.join(REPO_ROOT, 'docs', 'demo.md');
const BEGIN = '<!-- transcript: written by AGENT_RUNNER_UPDATE_DEMO=1 on test/integration/demo.test.ts -->\n```text\n';
const END = '```\n<!-- end of transcript -->';

/** What changes from run to run, made into placeholders. */
export function normalize(text: string): string {
  return text
    .replace(/\/\S*\/agent-runner-demo\.\w+/g, '<demo>')
    .replace(/\b\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?\b/g, '<time>')
    .replace(/\b\d\d:\d\d(:\d\d)?( [A-Z]{2,5}|( GMT[+-]\d+))?\b/g, '<time>')
    .replace(/\|\d{9,}/g, '|<epoch>')
    .replace(/\b[0-9a-f]{7,40}\b/g, '<sha>')
    .replace(/-?\b\d+(\.\d+)?s\b/g, '<s>')
    .replace(/\b\d+m\d\ds\b/g, '<s>')
    .replace(/\b\d+ leftover process/g, 'N leftover process');
}

test('the demo: a commit, a timeout that ends its process tree, a usage limit waited out, an auth stop; docs/demo.md is its transcript', () => {
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'templates', 'demo', 'run-demo.sh')], {
    env: { ...process.env, TMPDIR: tmpDir('ar-demo-'), AGENT_RUNNER_CONFIG: '', TZ: 'UTC' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 0, out);
  assert.equal(r.stderr, '', 'everything goes to one stream in order (the script joins them)');
  assert.match(out, /^round 1: ok, exit 0, [\d.]+s, 1 commit, 1 file \+\d+ -\d+$/m);
  assert.match(out, /^round 3: timeout, SIGTERM, [\d.]+s, \d+ leftover process\(es\) ended — timed out$/m);
  assert.match(out, /^ {3}processes of the round still running: 0$/m);
  assert.match(out, /^round 4: failed \(usage_limit\)/m);
  assert.match(out, /^waiting until \d\d:\d\d:\d\d UTC \(in \d+s\): usage limit$/m);
  // resumed on time: not before the reset
  const late = /the next round started (-?[\d.]+)s after it/.exec(out);
  assert.ok(late && Number(late[1]) >= 0, `the round after the usage limit started before its reset: ${late?.[0]}`);
  assert.match(out, /^round 5: ok, exit 0, [\d.]+s, 1 commit, 1 file \+\d+ -\d+$/m);
  // said once, as serve's last line
  assert.match(out, /^agent-runner: serve stopped: the agent cannot authenticate: log in again, then `agent-runner start`/m);
  assert.equal(out.match(/^agent-runner: .*cannot authenticate/gm)?.length, 1, 'the auth stop is printed once');
  assert.match(out, /^ {3}\(serve exited 3\)$/m);

  const doc = fs.readFileSync(DOC, 'utf8');
  const from = doc.indexOf(BEGIN);
  const to = doc.indexOf(END, from);
  assert.ok(from >= 0 && to > from, `${DOC} has its transcript markers`);
  if (process.env.AGENT_RUNNER_UPDATE_DEMO === '1') {
    fs.writeFileSync(DOC, doc.slice(0, from + BEGIN.length) + out.replace(/\/\S*\/(agent-runner-demo\.)\w+/g, '/tmp/$1XXXXXX') + doc.slice(to));
    return;
  }
  assert.equal(
    normalize(doc.slice(from + BEGIN.length, to)),
    normalize(out),
    'docs/demo.md is stale: run `AGENT_RUNNER_UPDATE_DEMO=1 node --test build/test/integration/demo.test.js`, and read the diff',
  );
});
