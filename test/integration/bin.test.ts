// bin/agent-runner.js: the bundle when it is there, the tsc output when asked; a code cache that is not the
// bundle's own (another build's, or garbage) is never used, and the CLI runs the same with or without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, REPO_ROOT, tmpDir } from '../helpers/env.js';
import { makeProject } from '../helpers/project.js';

const BUNDLE = path.join(REPO_ROOT, 'build', 'bundle', 'cli', 'main.cjs');

function node(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, AGENT_RUNNER_CONFIG: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the bundle and the tsc output answer the same', () => {
  assert.ok(fs.existsSync(BUNDLE), `${BUNDLE}: ./build.sh build makes it`);
  const p = makeProject({ agent: 'succeed.sh' });
  assert.equal(p.run(['round']).code, 0);
  const bundled = node([CLI, 'status', '--json'], p.dir);
  const tsc = node([CLI, 'status', '--json'], p.dir, { AGENT_RUNNER_ENTRY: 'src' });
  assert.equal(bundled.code, 0, bundled.stderr);
  assert.deepEqual(JSON.parse(bundled.stdout), JSON.parse(tsc.stdout));
});

test('a code cache made for another build, or garbage, is not used: the CLI still runs', () => {
  // a copy of the installed layout: bin/, build/bundle/cli/, package.json
  const root = tmpDir('ar-bin-');
  fs.cpSync(path.join(REPO_ROOT, 'bin'), path.join(root, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'build', 'bundle', 'cli'), { recursive: true });
  fs.copyFileSync(BUNDLE, path.join(root, 'build', 'bundle', 'cli', 'main.cjs'));
  fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
  const cache = path.join(root, 'build', 'bundle', 'cli', 'main.cjs.v8cache');
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  const firstLine = fs.readFileSync(BUNDLE, 'utf8').split('\n')[0];
  for (const [label, content] of [
    ['no cache', null],
    ['the right build, garbage data', Buffer.concat([Buffer.from(`${firstLine}\n`), Buffer.alloc(4096, 7)])],
    ['another build', Buffer.concat([Buffer.from('// agent-runner bundle 0000000000000000\n'), fs.readFileSync(`${BUNDLE}.v8cache`).subarray(firstLine.length + 1)])],
    ['no first line', Buffer.alloc(100, 0)],
  ] as const) {
    if (content === null) fs.rmSync(cache, { force: true });
    else fs.writeFileSync(cache, content);
    // --help: main.cjs parses it (a plain --version is answered by the bin without any bundle)
    const r = node([path.join(root, 'bin', 'agent-runner.js'), '--help'], root);
    assert.equal(r.code, 0, `${label}: ${r.stderr}`);
    assert.match(r.stdout, /^Usage: agent-runner /, label);
    assert.match(r.stdout, new RegExp(`\\n  -V, --version +output the version number`), label);
  }
  assert.equal(node([path.join(root, 'bin', 'agent-runner.js'), '--version'], root).stdout, `${version}\n`);
});

test('a plain --version is answered from package.json without loading a bundle', () => {
  // the installed layout without any build: only the bin and package.json
  const root = tmpDir('ar-bin-');
  fs.cpSync(path.join(REPO_ROOT, 'bin'), path.join(root, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  for (const flag of ['--version', '-V']) {
    const r = node([path.join(root, 'bin', 'agent-runner.js'), flag], root);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, `${version}\n`, ''], flag);
  }
  // a reader that closes the pipe at once: no error
  const closed = spawnSync('sh', ['-c', `"${process.execPath}" "${path.join(root, 'bin', 'agent-runner.js')}" --version | true`], { encoding: 'utf8' });
  assert.deepEqual([closed.status, closed.stderr], [0, '']);
});

test('a code cache damaged on disk (a flipped bit) is compiled afresh, never a crash', () => {
  // seen before the fix: with a matching header V8 trusted the payload, and a bit flipped at some offsets
  // segfaulted `status --json`; which offsets crash depends on the build, so flip one bit at many offsets
  const root = tmpDir('ar-bin-');
  fs.cpSync(path.join(REPO_ROOT, 'bin'), path.join(root, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'build', 'bundle', 'cli'), { recursive: true });
  fs.copyFileSync(BUNDLE, path.join(root, 'build', 'bundle', 'cli', 'main.cjs'));
  fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
  const good = fs.readFileSync(`${BUNDLE}.v8cache`);
  const header = fs.readFileSync(BUNDLE, 'utf8').indexOf('\n') + 1;
  const work = tmpDir('ar-bin-cwd-');
  const expected = node([path.join(root, 'bin', 'agent-runner.js'), 'status', '--json'], work);
  const step = Math.floor((good.length - header) / 24);
  for (let at = header + 16; at < good.length; at += step) {
    const bad = Buffer.from(good);
    bad[at] ^= 0x10;
    fs.writeFileSync(path.join(root, 'build', 'bundle', 'cli', 'main.cjs.v8cache'), bad);
    const r = node([path.join(root, 'bin', 'agent-runner.js'), 'status', '--json'], work);
    assert.equal(r.code, expected.code, `bit flipped at ${at}: ${r.stderr}`);
    assert.equal(r.stderr, expected.stderr, `bit flipped at ${at}`);
  }
});

test("the build's code caches are accepted by V8 as the bin compiles them (no V8 flag), each copy whole", () => {
  // the same compile as bin/agent-runner.js: a cache V8 rejects (made under other flags) costs every start
  const bin = fs.readFileSync(path.join(REPO_ROOT, 'bin', 'agent-runner.js'), 'utf8');
  assert.doesNotMatch(bin, /setFlagsFromString|node:v8/, 'the bin sets no V8 flag: the caches are made without one');
  const probe = `
    const fs = require('node:fs'), vm = require('node:vm'), { Module } = require('node:module');
    for (const name of ['main', 'round', 'peek', 'status', 'probe']) {
      const file = ${JSON.stringify(path.dirname(BUNDLE))} + '/' + name + '.cjs', source = fs.readFileSync(file, 'utf8');
      const buf = fs.readFileSync(file + '.v8cache'), nl = buf.indexOf(10), half = (buf.length - nl - 1) / 2;
      const a = buf.subarray(nl + 1, nl + 1 + half);
      if (!a.equals(buf.subarray(nl + 1 + half))) throw new Error(name + ': the two copies differ');
      const s = new vm.Script(Module.wrap(source), { filename: file, cachedData: a });
      const plain = new vm.Script(Module.wrap(source), { filename: file + '.fresh' }).createCachedData().length;
      process.stdout.write(name + ' ' + s.cachedDataRejected + ' ' + half + ' ' + plain + '\\n');
    }`;
  const r = node(['-e', probe], REPO_ROOT);
  const rows = r.stdout.trim().split('\n').map((l) => l.split(' '));
  assert.deepEqual(rows.map((c) => `${c[0]} ${c[1]}`), ['main false', 'round false', 'peek false', 'status false', 'probe false'], r.stdout + r.stderr);
  // the cache of round's, peek's and status's bundle (made after the verb ran, src/tools/bundle.ts) holds the
  // functions it compiled as well, not only the file's top level
  for (const [name, , size, plain] of rows.slice(1, 4)) assert.ok(Number(size) > Number(plain) * 1.5, `${name}: ${r.stdout}`);
});

/** A copy of the installed layout with these files of build/bundle/cli/. */
function installed(files: string[]): string {
  const root = tmpDir('ar-bin-');
  fs.cpSync(path.join(REPO_ROOT, 'bin'), path.join(root, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'build', 'bundle', 'cli'), { recursive: true });
  for (const f of files) fs.copyFileSync(path.join(path.dirname(BUNDLE), f), path.join(root, 'build', 'bundle', 'cli', f));
  fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
  return root;
}

test('round and peek run from their own bundles, with their cache, a damaged one, and none', () => {
  const root = installed(['main.cjs', 'main.cjs.v8cache', 'round.cjs', 'round.cjs.v8cache', 'peek.cjs', 'peek.cjs.v8cache']);
  // main.cjs damaged: a verb that took main.cjs instead of its own bundle would fail
  fs.writeFileSync(path.join(root, 'build', 'bundle', 'cli', 'main.cjs'), "'use strict'; process.exit(9);\n");
  const p = makeProject({ command: ['true'] });
  for (const verb of [['round'], ['peek', '--json']]) {
    const cache = path.join(root, 'build', 'bundle', 'cli', `${verb[0]}.cjs.v8cache`);
    const good = fs.readFileSync(cache);
    const flipped = Buffer.from(good);
    flipped[Math.floor(good.length / 2)] ^= 0x10;
    for (const [label, content] of [['its cache', good], ['a bit flipped', flipped], ['none', null]] as const) {
      if (content) fs.writeFileSync(cache, content);
      else fs.rmSync(cache);
      const r = node([path.join(root, 'bin', 'agent-runner.js'), '--config', p.configPath, ...verb], p.dir);
      assert.equal(r.code, 0, `${verb[0]}, ${label}: ${r.stderr}`);
      if (verb[0] === 'round') assert.match(r.stdout, /^round \d+: ok/, label);
      else assert.ok(JSON.parse(r.stdout).rounds.some((x: { n: number }) => x.n === 3), `${label}: the three rounds above are shown: ${r.stdout}`);
    }
  }
});

test("a verb's bundle hands any other form of the command line to the whole CLI", () => {
  const root = installed(['main.cjs', 'main.cjs.v8cache', 'round.cjs', 'round.cjs.v8cache', 'status.cjs', 'status.cjs.v8cache']);
  const bin = path.join(root, 'bin', 'agent-runner.js');
  const p = makeProject({ command: ['true'] });
  // commander's forms: a flag the fast path does not take, help, an unknown option
  const phase = node([bin, '--config', p.configPath, 'round', '--phase', 'nope'], p.dir);
  assert.equal(phase.code, 78, phase.stderr);
  assert.match(phase.stdout, /phase: unknown phase "nope"/);
  const help = node([bin, 'status', '--help'], p.dir);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: agent-runner status/);
  const bad = node([bin, 'status', '--bogus'], p.dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown option '--bogus'/);
  // a verb's name as another option's value (a config file named round): round's bundle declines, the whole CLI
  // runs `status`, as the tsc output does
  fs.copyFileSync(p.configPath, path.join(p.dir, 'round'));
  const named = node([bin, '--config', 'round', 'status', '--json'], p.dir);
  const tsc = node([CLI, '--config', 'round', 'status', '--json'], p.dir, { AGENT_RUNNER_ENTRY: 'src' });
  assert.equal(named.code, 0, named.stderr);
  assert.equal(tsc.code, 0, tsc.stderr);
  assert.equal(JSON.parse(named.stdout).project, JSON.parse(tsc.stdout).project);
});
