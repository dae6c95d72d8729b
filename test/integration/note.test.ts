// `agent-runner note`: steering without stopping. A note reaches exactly one round's prompt, under its
// heading, and that round's record lists it; a note sent while a round runs goes to the one after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitUntil } from '../helpers/env.js';
import { finished, makeProject } from '../helpers/project.js';

const HEADING = 'Notes from the operator (sent with `agent-runner note` while you ran; they apply from this round on):';
const log = (stateDir: string, n: number) => fs.readFileSync(path.join(stateDir, 'rounds', `${n}.log`), 'utf8');

test('a note reaches the next round once, under its heading, and is on that round\'s record', () => {
  const p = makeProject({ agent: 'echo-stdin.sh' });
  const q = p.run(['note', 'use the new API,', 'not the old one']);
  assert.equal(q.code, 0, q.stderr);
  assert.equal(q.stdout, 'queued for the next round: 1 note waiting\n');
  assert.equal(p.run(['note', 'and\nkeep the tests green']).code, 0);
  assert.match(p.run(['note', '--list']).stdout, /use the new API, not the old one\n.*and keep the tests green\n$/);

  assert.equal(p.run(['round']).code, 0);
  const first = log(p.stateDir, 1);
  assert.ok(first.includes(`${HEADING}\n- use the new API, not the old one\n- and\n  keep the tests green\n</agent-runner-context>`), first);
  assert.deepEqual(
    p.rounds()[0].notes?.map((x) => x.text),
    ['use the new API, not the old one', 'and\nkeep the tests green'],
  );
  assert.equal(p.run(['note', '--list']).stdout, 'no notes waiting\n');

  assert.equal(p.run(['round']).code, 0);
  assert.ok(!log(p.stateDir, 2).includes('Notes from the operator'), 'the second round gets no note again');
  assert.equal(p.rounds()[1].notes, undefined);
});

test('a note sent while a round runs goes to the next round, not the running one', async () => {
  const p = makeProject({ agent: 'echo-stdin-slow.sh', agentEnv: { SLOW_S: '2' } });
  const serve = p.start(['serve', '--max-rounds', '2']);
  const done = finished(serve);
  await waitUntil(() => p.events().some((e) => e.kind === 'round_started' && e.round === 1), { timeoutMs: 10_000, what: 'round 1 to start' });
  const q = p.run(['note', 'focus on the parser']);
  assert.equal(q.stdout, 'queued for round 2 (round 1 is running): 1 note waiting\n');
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!log(p.stateDir, 1).includes('focus on the parser'));
  assert.ok(log(p.stateDir, 2).includes('- focus on the parser\n'));
  assert.deepEqual(p.rounds().map((x) => x.notes?.length ?? 0), [0, 1]);
});

test('note --clear, --json, and bad input: one line with the fix', () => {
  const p = makeProject({ agent: 'echo-stdin.sh' });
  assert.equal(p.run(['note', 'a']).code, 0);
  assert.equal(p.run(['note', 'b']).code, 0);
  const list = JSON.parse(p.run(['note', '--list', '--json']).stdout);
  assert.deepEqual(list.map((x: { text: string }) => x.text), ['a', 'b']);
  assert.equal(p.run(['note', '--clear']).stdout, 'cleared 2 notes\n');
  assert.equal(p.run(['round']).code, 0);
  assert.ok(!log(p.stateDir, 1).includes('Notes from the operator'));
  for (const [args, want] of [
    [['note'], /write the note after the verb/],
    [['note', '   '], /the note is empty/],
    [['note', 'x', '--clear'], /give a note, or --list, or --clear, not both/],
    [['note', 'x'.repeat(5000)], /keep it under 4000/],
  ] as const) {
    const r = p.run([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});

test('a secret in a note reaches the agent but not the record', () => {
  const p = makeProject({ agent: 'echo-stdin.sh' });
  const key = 'sk-ant-api03-' + 'A'.repeat(40);
  assert.equal(p.run(['note', `the staging key is ${key}`]).code, 0);
  assert.equal(p.run(['round']).code, 0);
  assert.ok(!JSON.stringify(p.rounds()[0].notes).includes(key), 'redacted on the record');
  assert.match(p.rounds()[0].notes![0].text, /^the staging key is /);
});
