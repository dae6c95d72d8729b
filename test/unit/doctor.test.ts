// doctor's checks as data: each gives ok or a problem with its fix, on real dirs; a check that throws is a finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STATE_CHECKS, runDoctor, type DoctorInput } from '../../src/snapshot/doctor.js';
import { claimStateDir } from '../../src/state/ownership.js';
import { tmpDir } from '../helpers/env.js';

function input(stateDir: string): DoctorInput {
  const work = tmpDir('ar-work-');
  return { stateDir, facts: { home: tmpDir('ar-home-'), workDir: work, defaultDir: '/default/state' } };
}

const byName = (r: Awaited<ReturnType<typeof runDoctor>>) => Object.fromEntries(r.checks.map((c) => [c.name, c]));

test('doctor: a marked state dir with 0600 files passes; one file 0644 and the dir 0750 fail state_modes with the fix', async () => {
  const dir = path.join(tmpDir('ar-doc-'), 'state');
  claimStateDir(dir);
  fs.writeFileSync(path.join(dir, 'rounds.jsonl'), '', { mode: 0o600 });
  let r = await runDoctor(input(dir), STATE_CHECKS);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.deepEqual(r.checks.map((c) => c.name), STATE_CHECKS.map((c) => c.name));

  fs.chmodSync(path.join(dir, 'rounds.jsonl'), 0o644);
  fs.chmodSync(dir, 0o750);
  r = await runDoctor(input(dir), STATE_CHECKS);
  assert.equal(r.ok, false);
  const modes = byName(r).state_modes;
  assert.ok(!modes.ok && /2 state path\(s\) others may read or write: \. 750, rounds\.jsonl 644/.test(modes.problem), JSON.stringify(modes));
  assert.ok(!modes.ok && modes.fix.includes(`chmod -R go-rwx ${dir}`));
  assert.equal(byName(r).state_dir.ok, true);
});

test('doctor: a state dir without its marker, a foreign one, and a refused path fail state_dir; missing and empty pass', async () => {
  const legacy = tmpDir('ar-legacy-');
  fs.writeFileSync(path.join(legacy, 'rounds.jsonl'), '', { mode: 0o600 });
  fs.chmodSync(legacy, 0o700);
  const l = byName(await runDoctor(input(legacy), STATE_CHECKS)).state_dir;
  assert.ok(!l.ok && /has no \.agent-runner-state \(made by an earlier agent-runner\)/.test(l.problem), JSON.stringify(l));

  const foreign = tmpDir('ar-foreign-');
  fs.writeFileSync(path.join(foreign, 'theirs.txt'), 'x');
  const f = byName(await runDoctor(input(foreign), STATE_CHECKS));
  assert.ok(!f.state_dir.ok && /is not empty and was not made by agent-runner/.test(f.state_dir.problem));
  assert.ok(f.state_modes.ok, 'a dir that is not ours is not walked');
  assert.equal(fs.statSync(path.join(foreign, 'theirs.txt')).mode & 0o777, 0o644);

  const i = input('/');
  const root = byName(await runDoctor({ ...i, stateDir: i.facts.workDir }, STATE_CHECKS)).state_dir;
  assert.ok(!root.ok && /is the work tree itself/.test(root.problem), JSON.stringify(root));

  for (const ok of [path.join(tmpDir('ar-missing-'), 'state'), tmpDir('ar-empty-')]) {
    const r = await runDoctor(input(ok), STATE_CHECKS);
    assert.equal(r.ok, true, JSON.stringify(r));
  }
});

test('doctor: a check that throws is reported as a problem, and the others still run', async () => {
  const r = await runDoctor(input(tmpDir('ar-empty-')), [
    { name: 'boom', verifies: 'x', run: () => { throw new Error('it broke\nsecond line'); } },
    ...STATE_CHECKS,
  ]);
  assert.equal(r.ok, false);
  const boom = byName(r).boom;
  assert.ok(!boom.ok && boom.problem === 'the check could not run: it broke');
  assert.equal(r.checks.length, STATE_CHECKS.length + 1);
});
