// The install path of a user without a checkout: `npm pack`, then `npm install -g` of that tarball into a
// fresh prefix, offline, with an empty npm cache and a registry that refuses connections (the tarball
// carries its two dependencies: package.json's bundleDependencies). What is installed must work: the
// version, `--help` for every verb, shell completion, and the demo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, tmpDir } from '../helpers/env.js';

test('npm pack + npm install -g (offline): a working agent-runner with --help for every verb, completion and the demo', () => {
  const work = tmpDir('ar-pack-');
  const npmEnv = {
    ...process.env,
    npm_config_cache: path.join(work, 'empty-cache'),
    npm_config_registry: 'http://127.0.0.1:9/', // nothing listens there: a request would fail, not leave the machine
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const pack = spawnSync('npm', ['pack', '--pack-destination', work, '--loglevel=error'], { cwd: REPO_ROOT, env: npmEnv, encoding: 'utf8' });
  assert.equal(pack.status, 0, pack.stderr);
  const version = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version;
  const tarball = path.join(work, `agent-runner-${version}.tgz`);
  assert.ok(fs.existsSync(tarball), pack.stdout);

  const prefix = path.join(work, 'prefix');
  const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, tarball, '--loglevel=error'], { cwd: work, env: npmEnv, encoding: 'utf8' });
  assert.equal(install.status, 0, install.stderr);
  const bin = path.join(prefix, 'bin');
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, AGENT_RUNNER_CONFIG: '', XDG_STATE_HOME: path.join(work, 'state') };
  const ar = (...args: string[]) => spawnSync('agent-runner', args, { cwd: work, env, encoding: 'utf8' });

  assert.equal(ar('--version').stdout, `${version}\n`);
  const help = ar('--help');
  assert.equal(help.status, 0, help.stderr);
  const verbs = [...help.stdout.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]).filter((v) => v !== 'help');
  assert.ok(verbs.length >= 15 && verbs.includes('completion') && verbs.includes('serve'), `verbs in --help: ${verbs}`);
  for (const v of verbs) {
    const r = ar(v, '--help');
    assert.equal(r.status, 0, `${v} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^Usage: agent-runner ${v}\\b`), `${v} --help`);
  }

  // completion, sourced from the installed command
  const comp = spawnSync(
    'bash',
    ['--norc', '--noprofile', '-c', `source <(agent-runner completion bash) && COMP_WORDS=(agent-runner se) COMP_CWORD=1 && _agent_runner && echo "\${COMPREPLY[*]}"`],
    { cwd: work, env, encoding: 'utf8' },
  );
  assert.equal(comp.status, 0, comp.stderr);
  assert.equal(comp.stdout, 'serve\n');

  // the demo, as shipped: its script and its agent from the installed package
  const demo = spawnSync('bash', [path.join(prefix, 'lib', 'node_modules', 'agent-runner', 'templates', 'demo', 'run-demo.sh')], {
    env: { ...env, TMPDIR: work },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(demo.status, 0, demo.stdout + demo.stderr);
  assert.match(demo.stdout, /^round 1: ok, exit 0, [\d.]+s, 1 commit, 1 file \+\d+ -\d+$/m);
  assert.match(demo.stdout, /^ {3}processes of the round still running: 0$/m);
  assert.match(demo.stdout, /^round 5: ok, exit 0/m);
});
