// The state dir is agent-runner's own (issue 23): the path rules (pure, with an injected file system), the
// marker / adopt / recognise / refuse logic on real dirs, ensureDir's modes, and the mount table parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import { stateDirRefusal, realPathOf, type PathReader, type StateDirFacts } from '../../src/state/refused-dirs.js';
import { checkStateDirForReading, claimStateDir, holdsOwnState, stateDirKind } from '../../src/state/ownership.js';
import { ensureDir } from '../../src/state/files.js';
import { STATE_MARKER } from '../../src/state/paths.js';
import { parseMountPoints } from '../../src/system/mounts.js';
import { ConfigError } from '../../src/errors.js';
import { tmpDir } from '../helpers/env.js';

const FACTS: StateDirFacts = { home: '/home/u', workDir: '/home/u/proj', defaultDir: '/home/u/.local/state/agent-runner/proj-12345678' };

/** A file system of symlinks and existing paths, that records every question asked of it. */
function fakeFs(exists: string[], links: Record<string, string> = {}, mounts: string[] = ['/']): PathReader & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    realpath(p) {
      asked.push(`realpath ${p}`);
      // resolve the links component by component, like the kernel
      let out = '/';
      for (const part of p.split('/').filter(Boolean)) {
        out = path.join(out, part);
        if (links[out]) out = links[out];
        if (!exists.includes(out) && !Object.values(links).includes(out)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      }
      return out;
    },
    mountPoints() {
      asked.push('mountPoints');
      return mounts;
    },
  };
}

/** Every call that could change the file system throws while `f` runs: the check may only ask questions. */
function withoutWrites<T>(f: () => T): T {
  const names = ['mkdirSync', 'chmodSync', 'writeFileSync', 'openSync', 'rmSync', 'renameSync', 'linkSync', 'appendFileSync', 'chownSync', 'utimesSync'] as const;
  // the CommonJS face of node:fs: what syncBuiltinESMExports copies into every `import * as fs`
  const mutable = createRequire(import.meta.url)('node:fs') as Record<string, unknown>;
  const saved = names.map((n) => mutable[n]);
  for (const n of names) mutable[n] = () => assert.fail(`the path check called fs.${n}`);
  syncBuiltinESMExports();
  try {
    return f();
  } finally {
    names.forEach((n, i) => (mutable[n] = saved[i]));
    syncBuiltinESMExports();
  }
}

test('state_dir / ~ . /tmp and the work tree are refused before any file-system call that could change them', () => {
  const io = fakeFs(['/home', '/home/u', '/home/u/proj', '/home/u/proj/.git', '/tmp', '/etc', '/var', '/var/tmp', '/run', '/srv', '/srv/vol', '/data'], {
    '/var/run': '/run',
    '/home/u/link-to-home': '/home/u',
    '/data/h': '/home/u',
  }, ['/', '/srv/vol', '/proc']);
  const cases: [string, RegExp][] = [
    ['/', /^state_dir \/ is the root directory; remove runtime\.state_dir to use the default \(\/home\/u\/\.local\/state\/agent-runner\/proj-12345678\), or name a new directory$/],
    ['/home/u', /is your home directory/],
    ['/home/u/proj/..', /^state_dir \/home\/u is your home directory/], // `..` resolved
    ['/home/u/link-to-home', /^state_dir \/home\/u\/link-to-home \(really \/home\/u\) is your home directory/],
    ['/home/u/proj', /is the work tree itself/],
    ['/home/u/proj/.git', /is the work tree's \.git/],
    ['/tmp', /is a system directory/],
    ['/var/tmp', /is a system directory/],
    ['/etc', /is a system directory/],
    ['/var/run', /^state_dir \/var\/run \(really \/run\) is a system directory/],
    ['/proc', /is a system directory/],
    ['/srv/vol', /is the root of a mount point/],
  ];
  for (const [dir, want] of cases) {
    const got = withoutWrites(() => stateDirRefusal(dir, FACTS, io));
    assert.match(got ?? 'accepted', want, dir);
  }
  // a path below a symlink to home is fine (a new dir inside home), and so is the default itself
  for (const ok of ['/home/u/.local/state/agent-runner/proj-12345678', '/data/h/state', '/home/u/proj/.agent-runner', '/srv/vol/state']) {
    assert.equal(withoutWrites(() => stateDirRefusal(ok, FACTS, io)), null, ok);
  }
  assert.ok(io.asked.every((q) => q === 'mountPoints' || q.startsWith('realpath ')), `only questions were asked: ${io.asked.join(', ')}`);
});

test('the real path of a dir that does not exist yet goes through its existing, symlinked parent', () => {
  const io = fakeFs(['/a', '/b'], { '/a/link': '/b' });
  assert.equal(realPathOf('/a/link/new/state', io), '/b/new/state');
  assert.equal(realPathOf('/nowhere/x', io), '/nowhere/x');
});

test('the mount table: field 5 of each mountinfo line, octal escapes undone', () => {
  const text = [
    '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
    '28 27 0:25 / /mnt/my\\040disk ro - tmpfs none ro',
    '29 27 0:26 /sub /srv/tab\\011x rw - ext4 /dev/vdb rw',
    '',
  ].join('\n');
  assert.deepEqual(parseMountPoints(text), ['/', '/mnt/my disk', '/srv/tab\tx']);
});

/** A dir's mode, names and their contents: what must be exactly the same after a refusal. */
function look(dir: string): string {
  const names = fs.readdirSync(dir).sort();
  return `${(fs.statSync(dir).mode & 0o777).toString(8)} ${names.map((n) => `${n}=${fs.readFileSync(path.join(dir, n), 'utf8')}`).join(' ')}`;
}

test('a non-empty dir without the marker is refused, one line, and left exactly as it was', () => {
  const dir = tmpDir('ar-foreign-');
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, 'theirs.txt'), 'not yours\n');
  const before = look(dir);
  const line = `state_dir ${dir} is not empty and was not made by agent-runner; name a new directory`;
  assert.throws(() => claimStateDir(dir), (e: unknown) => e instanceof ConfigError && e.message === line);
  assert.throws(() => checkStateDirForReading(dir), (e: unknown) => e instanceof ConfigError && e.message === line);
  assert.equal(holdsOwnState(dir), false);
  assert.equal(look(dir), before);

  // agent-runner's names are not enough: another tool's `lock`, or a foreign file in rounds/
  const lockOnly = tmpDir('ar-lock-');
  fs.writeFileSync(path.join(lockOnly, 'lock'), '12345\n');
  assert.equal(stateDirKind(lockOnly), 'foreign');
  const roundsForeign = tmpDir('ar-rounds-');
  fs.writeFileSync(path.join(roundsForeign, 'rounds.jsonl'), '');
  fs.mkdirSync(path.join(roundsForeign, 'rounds'));
  fs.writeFileSync(path.join(roundsForeign, 'rounds', 'notes.txt'), 'mine');
  assert.equal(stateDirKind(roundsForeign), 'foreign');
  const file = path.join(tmpDir('ar-file-'), 'state');
  fs.writeFileSync(file, 'x');
  assert.throws(() => claimStateDir(file), /^ConfigError: state_dir .* is not a directory; name a new directory$/);
});

test('a missing dir is made 0700 and marked; an empty one adopted with its mode kept; an earlier version\'s recognised', () => {
  const notices: string[] = [];
  const say = (l: string) => notices.push(l);

  const fresh = path.join(tmpDir('ar-new-'), 'a', 'state');
  assert.equal(claimStateDir(fresh, say), 'created');
  assert.equal(fs.statSync(fresh).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.dirname(fresh)).mode & 0o777, 0o700, 'a parent it made is its own too');
  assert.ok(fs.existsSync(path.join(fresh, STATE_MARKER)));
  assert.equal(claimStateDir(fresh, say), 'ours');
  assert.deepEqual(notices, []);

  const empty = tmpDir('ar-empty-');
  fs.chmodSync(empty, 0o750);
  checkStateDirForReading(empty);
  assert.deepEqual(fs.readdirSync(empty), [], 'a reader creates nothing, not even the marker');
  assert.equal(claimStateDir(empty, say), 'adopted');
  assert.equal(fs.statSync(empty).mode & 0o777, 0o750, 'an adopted dir keeps its mode');
  assert.deepEqual(fs.readdirSync(empty), [STATE_MARKER]);
  assert.equal(claimStateDir(empty, say), 'ours');
  assert.equal(fs.statSync(empty).mode & 0o777, 0o750, 'and keeps it on the next claim');
  assert.match(notices.join('\n'), /^adopted the empty directory .* as the state dir/);

  const legacy = tmpDir('ar-legacy-');
  fs.chmodSync(legacy, 0o700);
  for (const f of ['rounds.jsonl', 'events.jsonl', 'status.json', 'serve.log', 'events.jsonl.corrupt', 'status.json.123.1700000000000.tmp']) {
    fs.writeFileSync(path.join(legacy, f), '');
  }
  fs.mkdirSync(path.join(legacy, 'rounds'));
  for (const f of ['1.log', '1.events.jsonl', '2.log']) fs.writeFileSync(path.join(legacy, 'rounds', f), '');
  assert.equal(holdsOwnState(legacy), true, 'an earlier version\'s dir may be written to before it is claimed');
  assert.equal(claimStateDir(legacy, say), 'recognised');
  assert.ok(fs.existsSync(path.join(legacy, STATE_MARKER)));
  assert.match(notices.at(-1)!, /^recognised .* as a state dir of an earlier agent-runner/);

  // a dir left with only its lock (an earlier version killed right after taking it) is ours as well
  const lockOnly = tmpDir('ar-lock-');
  fs.writeFileSync(path.join(lockOnly, 'lock'), JSON.stringify({ pid: 1, starttime: null, since: new Date().toISOString(), role: 'serve' }));
  assert.equal(stateDirKind(lockOnly), 'legacy');
});

test('ensureDir sets the mode only of the dirs it makes: an existing dir keeps its own', () => {
  const old = process.umask(0o000);
  try {
    const team = tmpDir('ar-team-');
    fs.chmodSync(team, 0o2775);
    assert.equal(ensureDir(team), false);
    assert.equal(fs.statSync(team).mode & 0o7777, 0o2775);
    const made = path.join(team, 'x', 'y');
    assert.equal(ensureDir(made), true);
    assert.equal(fs.statSync(made).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(team, 'x')).mode & 0o777, 0o700);
    assert.equal(fs.statSync(team).mode & 0o7777, 0o2775, 'the parent it did not make is untouched');
  } finally {
    process.umask(old);
  }
});
