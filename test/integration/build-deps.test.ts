// The README's test command on a machine that lacks a test tool: as a user who cannot install it,
// `./build.sh test` stops in its first seconds, naming the package and the command that installs it,
// instead of building for a minute and failing (or skipping) the tests that need the tool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, tmpDir } from '../helpers/env.js';

/** a PATH dir holding every command of /usr/bin and /bin but the ones named */
function pathWithout(names: string[]): string {
  const dir = tmpDir('ar-path-');
  for (const from of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    for (const n of fs.readdirSync(from)) {
      if (names.includes(n) || fs.existsSync(path.join(dir, n))) continue;
      fs.symlinkSync(path.join(from, n), path.join(dir, n));
    }
  }
  return dir;
}

test('./build.sh test as a non-root user without tmux: fails at once, naming the package and its install command', () => {
  // a copy of the script alone: it must stop before it installs or builds anything
  const dir = tmpDir('ar-build-');
  fs.chmodSync(dir, 0o755);
  fs.copyFileSync(path.join(REPO_ROOT, 'build.sh'), path.join(dir, 'build.sh'));
  fs.chmodSync(path.join(dir, 'build.sh'), 0o755);
  const PATH = pathWithout(['tmux']);
  fs.chmodSync(PATH, 0o755);
  const t0 = Date.now();
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', path.join(dir, 'build.sh'), 'test'], {
    cwd: dir,
    env: { PATH, HOME: dir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const took = Date.now() - t0;
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /the tests need [^;]*\btmux\b/);
  assert.match(r.stderr, /install with: sudo apt-get install -y [^\n]*\btmux\b/);
  assert.ok(took < 10_000, `took ${took} ms`);
  assert.ok(!fs.existsSync(path.join(dir, 'node_modules')) && !fs.existsSync(path.join(dir, 'build')), 'nothing installed or built');
});
