// What a round, status and peek do not load: node:crypto (some twenty internal modules, 2.7–5.4 ms), Node's
// fs streams (internal/fs/streams, fs/promises, readline: ~2 ms), node:module with the ES module loader
// (~0.5 ms), node:v8 (2.5–5 ms; the bin once loaded it for a V8 flag) and Node's rimraf (~1 ms: fs.rmSync loads it
// at its first call, even for one file); nor does status load node:net (~2.5 ms; its stderr is a pipe here). Real runs through the bin, with a
// preload that writes Node's own module list at exit; a new import on these paths that brings one back fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, tmpDir } from '../helpers/env.js';
import { makeProject } from '../helpers/project.js';

const UNWANTED = /^NativeModule (crypto|internal\/crypto\/.*|internal\/fs\/streams|internal\/fs\/promises|readline|internal\/readline\/.*|module|internal\/modules\/esm\/loader|v8|internal\/heap_utils|internal\/fs\/rimraf)$/;

test('a clean round with agent `true`, status --json and peek --json load no node:crypto, no fs streams, no node:module, no node:v8, no rimraf', () => {
  const dir = tmpDir();
  const preload = path.join(dir, 'modules.cjs');
  fs.writeFileSync(
    preload,
    "process.on('exit', () => require('fs').writeFileSync(process.env.AR_MODULES_OUT, process.moduleLoadList.join('\\n')));\n",
  );
  const p = makeProject({ command: ['true'] });
  const loaded = (args: string[], unwanted = UNWANTED) => {
    const out = path.join(dir, `${args[0]}.modules`);
    const r = p.run(args, { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`, AR_MODULES_OUT: out });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    const list = fs.readFileSync(out, 'utf8').split('\n');
    assert.ok(list.includes('NativeModule fs'), `${args.join(' ')}: the preload wrote the module list`);
    return list.filter((m) => unwanted.test(m));
  };
  // the first round makes the state id too; the second is the plain case
  for (const args of [['round'], ['round'], ['status', '--json'], ['peek', '--json']]) assert.deepEqual(loaded(args), [], args.join(' '));
  assert.deepEqual(loaded(['status', '--json'], /^NativeModule net$/), [], 'status --json');
  assert.deepEqual(p.rounds().map((r) => r.exit_code), [0, 0]);
  assert.ok(fs.statSync(path.join(p.stateDir, 'rounds', '2.log')).isFile(), 'the round wrote its log');
});

test('the one-verb bundles are ASCII: V8 keeps a source with any other character as a two-byte string, twice the bytes to decode at every start', () => {
  const dir = path.join(REPO_ROOT, 'build', 'bundle', 'cli');
  for (const verb of ['round', 'status', 'peek', 'probe', 'peek-early']) {
    const bytes = fs.readFileSync(path.join(dir, `${verb}.cjs`));
    const at = bytes.findIndex((b) => b > 0x7f);
    assert.equal(at, -1, `${verb}.cjs has a non-ASCII byte at ${at}: ${bytes.subarray(Math.max(0, at - 40), at + 10).toString()}`);
  }
});
