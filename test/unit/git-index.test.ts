// unmergedFromIndex (src/round/git-index.ts) against git itself, on real indexes made by real git commands: wherever
// it answers '' (no unmerged entry), `git ls-files -u` must print nothing too; where the index is plain (formats 2,
// 3 and 4, resolve-undo, the untracked cache, long, shared-prefix and non-ASCII names, thousands of entries) it must
// answer; a conflict, a split or sparse index, an offset table, a file too big or damaged goes to git.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { INDEX_MAX, noUnmerged, unmergedFromIndex } from '../../src/round/git-index.js';
import { probeRepo } from '../../src/round/repo-probe.js';
import { git, makeGitRepo, tmpDir } from '../helpers/env.js';

const g = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'pipe', encoding: 'utf8' });
const gitDirOf = (dir: string) => g(dir, 'rev-parse', '--absolute-git-dir').trim();
const indexOf = (dir: string) => path.join(gitDirOf(dir), 'index');

/** What the round asks git (repo-probe.ts): its output, and whether it answered at all. */
function lsFiles(dir: string): { out: string; ok: boolean } {
  const r = spawnSync('git', ['ls-files', '-u', '-z', '--full-name', '--', ':/'], { cwd: dir, encoding: 'utf8' });
  return { out: r.stdout, ok: r.status === 0 };
}

/** `fast`: must the index answer (true), must it leave it to git (false), or either (undefined)? */
function same(dir: string, o: { fast?: boolean; conflicts?: boolean }, what: string): void {
  const read = unmergedFromIndex(gitDirOf(dir));
  const real = lsFiles(dir);
  if (read !== null) assert.deepEqual({ out: read, ok: true }, real, `${what}: the index file says '' where git says ${JSON.stringify(real)}`);
  if (o.fast !== undefined) assert.equal(read !== null, o.fast, `${what}: ${o.fast ? 'left to git, but the index is plain' : 'read from the file'}`);
  if (o.conflicts !== undefined) assert.equal(real.out !== '', o.conflicts, `${what}: git's own answer is not what the layout should give: ${JSON.stringify(real)}`);
}

/** Stage-0 entries for `paths`, all naming one blob, written by git itself (no files needed). */
function addEntries(dir: string, paths: string[]): void {
  const blob = git(dir, 'hash-object', '-w', 'README.md');
  execFileSync('git', ['update-index', '--add', '--index-info'], { cwd: dir, input: paths.map((p) => `100644 ${blob}\t${p}\n`).join('') });
}

/** A repository whose main and side branches both changed README.md. */
function diverged(): string {
  const r = makeGitRepo();
  g(r, 'checkout', '-q', '-b', 'side');
  fs.writeFileSync(path.join(r, 'README.md'), 'side\n');
  g(r, 'commit', '-q', '-am', 'side');
  g(r, 'checkout', '-q', 'main');
  fs.writeFileSync(path.join(r, 'README.md'), 'main\n');
  g(r, 'commit', '-q', '-am', 'main');
  return r;
}

const hasExtension = (dir: string, sig: string) => fs.readFileSync(indexOf(dir)).includes(sig, 12, 'latin1');
const versionOf = (dir: string) => fs.readFileSync(indexOf(dir)).readUInt32BE(4);

test('plain indexes are read from the file, and agree with git', () => {
  const repo = makeGitRepo();
  for (const [i, f] of ['a.txt', 'b/c.txt', 'b/d/e.txt'].entries()) {
    fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
    fs.writeFileSync(path.join(repo, f), `${i}\n`);
    g(repo, 'add', f);
    g(repo, 'commit', '-q', '-m', f);
  }
  same(repo, { fast: true, conflicts: false }, 'a clean repository');
  assert.equal(versionOf(repo), 2);
  assert.ok(hasExtension(repo, 'TREE'), 'a cache tree');

  // names sharing prefixes, names past 0xFFF bytes (nested directories), non-ASCII names; in v2, v3 and v4
  const long = Array.from({ length: 30 }, (_, i) => `directory-${i}-${'x'.repeat(140)}`).join('/');
  assert.ok(Buffer.byteLength(long) > 0xfff);
  addEntries(repo, ['b/c.txt.orig', 'b/ca', 'b/d/e', `${long}/f`, `${long}/g`, 'ünïcödé/名前.txt', 'ünïcödé/名前2.txt', 'z'.repeat(0xfff)]);
  same(repo, { fast: true, conflicts: false }, 'long and non-ASCII names, v2');
  g(repo, 'update-index', '--index-version', '4');
  assert.equal(versionOf(repo), 4);
  same(repo, { fast: true, conflicts: false }, 'the same in v4 (prefix-compressed names)');
  // intent-to-add sets an extended flag: format 3 (in v4 it stays v4)
  g(repo, 'update-index', '--index-version', '2');
  fs.writeFileSync(path.join(repo, 'new.txt'), 'new\n');
  g(repo, 'add', '-N', 'new.txt');
  assert.equal(versionOf(repo), 3);
  same(repo, { fast: true, conflicts: false }, 'an intent-to-add entry, v3');
  // the same bytes called v2 (where the extended flag must be 0), or with an extended flag git does not know
  const v3 = fs.readFileSync(indexOf(repo));
  const ita = v3.indexOf('new.txt\0', 12, 'latin1') - 2;
  assert.equal(v3.readUInt16BE(ita), 0x2000, 'the intent-to-add flag');
  for (const [what, damage] of [['called v2', (b: Buffer) => b.writeUInt32BE(2, 4)], ['an unknown extended flag', (b: Buffer) => b.writeUInt16BE(0x2001, ita)]] as const) {
    const b = Buffer.from(v3);
    damage(b);
    fs.writeFileSync(indexOf(repo), b);
    same(repo, { fast: false }, `a v3 index ${what}`);
  }
  fs.writeFileSync(indexOf(repo), v3);
  g(repo, 'update-index', '--index-version', '4');
  same(repo, { fast: true, conflicts: false }, 'an intent-to-add entry, v4');

  // the untracked cache (UNTR), and the end-of-entries marker (EOIE)
  const cached = makeGitRepo();
  g(cached, 'config', 'core.untrackedCache', 'true');
  fs.writeFileSync(path.join(cached, 'untracked.txt'), 'u\n');
  g(cached, 'status', '--porcelain');
  assert.ok(hasExtension(cached, 'UNTR'), 'an untracked cache');
  same(cached, { fast: true, conflicts: false }, 'the untracked cache');
  g(cached, '-c', 'index.recordEndOfIndexEntries=true', 'add', 'untracked.txt');
  assert.ok(hasExtension(cached, 'EOIE'));
  same(cached, { fast: true, conflicts: false }, 'an end-of-entries marker');
  // one naming another offset than where the entries end: git may read the extensions from there
  const marked = fs.readFileSync(indexOf(cached));
  const eoie = marked.indexOf('EOIE', 12, 'latin1');
  marked.writeUInt32BE(marked.readUInt32BE(eoie + 8) + 8, eoie + 8);
  fs.writeFileSync(indexOf(cached), marked);
  same(cached, { fast: false }, 'an end-of-entries marker naming another offset');

  // 3,000 files: still read
  const big = makeGitRepo();
  addEntries(big, Array.from({ length: 3000 }, (_, i) => `dir-${i % 30}/file-${i}.txt`));
  same(big, { fast: true, conflicts: false }, '3,000 entries');
});

test('no index file is an empty index, to git too', () => {
  const fresh = tmpDir('ar-idx-');
  g(fresh, 'init', '-q', '-b', 'main');
  assert.ok(!fs.existsSync(path.join(fresh, '.git', 'index')));
  same(fresh, { fast: true, conflicts: false }, 'a repository before its first add');
  const repo = makeGitRepo();
  fs.rmSync(indexOf(repo));
  same(repo, { fast: true, conflicts: false }, 'a repository whose index was removed');
});

test('conflicts are left to git, which prints them; a resolved one is read', () => {
  const merging = diverged();
  assert.equal(spawnSync('git', ['merge', '-q', 'side'], { cwd: merging }).status, 1);
  same(merging, { fast: false, conflicts: true }, 'a conflicted merge');
  g(merging, 'update-index', '--index-version', '4');
  same(merging, { fast: false, conflicts: true }, 'a conflicted merge, v4');
  // resolved with `git add`: the stages go to the resolve-undo extension (REUC)
  g(merging, 'add', 'README.md');
  assert.ok(hasExtension(merging, 'REUC'), 'resolve-undo');
  same(merging, { fast: true, conflicts: false }, 'a resolved conflict (REUC)');

  // a stash pop that conflicted: no marker file at all, only the stages
  const popped = diverged();
  fs.writeFileSync(path.join(popped, 'README.md'), 'stashed\n');
  g(popped, 'stash', '-q');
  g(popped, 'reset', '-q', '--hard', 'side');
  assert.notEqual(spawnSync('git', ['stash', 'pop', '-q'], { cwd: popped }).status, 0);
  assert.ok(!fs.existsSync(path.join(popped, '.git', 'MERGE_HEAD')));
  same(popped, { fast: false, conflicts: true }, 'a conflicted stash pop');

  // a stage written straight into a clean index's flags: git reads it (it does not check the checksum), so must we
  const crafted = makeGitRepo();
  const file = indexOf(crafted);
  const b = fs.readFileSync(file);
  b[12 + 60] |= 0x20; // the first entry's flags: stage 2
  fs.writeFileSync(file, b);
  same(crafted, { fast: false, conflicts: true }, 'a stage set by hand');
});

test('indexes whose entries may be elsewhere or read otherwise are left to git', () => {
  const split = makeGitRepo();
  g(split, 'update-index', '--split-index');
  assert.ok(hasExtension(split, 'link'));
  same(split, { fast: false, conflicts: false }, 'a split index');

  const sparse = makeGitRepo();
  addEntries(sparse, ['in/a.txt', 'out/b.txt']);
  g(sparse, 'commit', '-q', '-m', 'dirs');
  g(sparse, 'sparse-checkout', 'init', '--cone', '--sparse-index');
  g(sparse, 'sparse-checkout', 'set', 'in');
  assert.ok(hasExtension(sparse, 'sdir'), 'a sparse index');
  same(sparse, { fast: false, conflicts: false }, 'a sparse index');

  // an offset table: git may read the entries from its offsets
  const threaded = makeGitRepo();
  addEntries(threaded, ['a', 'b', 'c', 'd']);
  g(threaded, '-c', 'index.threads=2', '-c', 'index.recordOffsetTable=true', 'add', 'README.md');
  assert.ok(hasExtension(threaded, 'IEOT'));
  same(threaded, { fast: false, conflicts: false }, 'an offset table');

  // past the size bound: git reads it
  const huge = makeGitRepo();
  addEntries(huge, Array.from({ length: 9000 }, (_, i) => `${'d'.repeat(200)}/${i}`));
  assert.ok(fs.statSync(indexOf(huge)).size > INDEX_MAX);
  same(huge, { fast: false, conflicts: false }, 'an index over the bound');

  // not a regular file
  const odd = makeGitRepo();
  fs.rmSync(indexOf(odd));
  fs.mkdirSync(indexOf(odd));
  assert.equal(unmergedFromIndex(gitDirOf(odd)), null, 'a directory named index');
});

test('a damaged index is never read as "no conflict" where git prints one', () => {
  // a conflict, then each kind of damage: whatever still holds must not hide the stages from anyone who asks
  const base = diverged();
  assert.equal(spawnSync('git', ['merge', '-q', 'side'], { cwd: base }).status, 1);
  g(base, 'add', 'README.md'); // REUC, then a conflict again on another path
  addEntries(base, ['x/y.txt', 'x/z.txt']);
  const blob = git(base, 'hash-object', '-w', 'README.md');
  execFileSync('git', ['update-index', '--index-info'], { cwd: base, input: [1, 2, 3].map((s) => `100644 ${blob} ${s}\tc.txt\n`).join('') });
  const file = indexOf(base);
  const whole = fs.readFileSync(file);
  same(base, { fast: false, conflicts: true }, 'the undamaged index');
  const clean = makeGitRepo();
  addEntries(clean, ['x/y.txt', 'x/z.txt']);
  const cleanFile = indexOf(clean);
  const cleanWhole = fs.readFileSync(cleanFile);
  same(clean, { fast: true, conflicts: false }, 'the undamaged clean index');

  const extAt = (b: Buffer, sig: string) => b.indexOf(sig, 12, 'latin1');
  const damages: Array<[string, (b: Buffer) => Buffer]> = [
    ['cut short', (b) => b.subarray(0, b.length - 30)],
    ['cut to the header', (b) => b.subarray(0, 12)],
    ['cut in the entries', (b) => b.subarray(0, 100)],
    ['one entry fewer counted', (b) => (b.writeUInt32BE(b.readUInt32BE(8) - 1, 8), b)],
    ['one entry more counted', (b) => (b.writeUInt32BE(b.readUInt32BE(8) + 1, 8), b)],
    ['a huge count', (b) => (b.writeUInt32BE(0xffffffff, 8), b)],
    ['an extension one byte longer', (b) => (b.writeUInt32BE(b.readUInt32BE(extAt(b, 'TREE') + 4) + 1, extAt(b, 'TREE') + 4), b)],
    ['an extension one byte shorter', (b) => (b.writeUInt32BE(b.readUInt32BE(extAt(b, 'TREE') + 4) - 1, extAt(b, 'TREE') + 4), b)],
    ['an unknown extension', (b) => (b.write('ZZZZ', extAt(b, 'TREE'), 'latin1'), b)],
    ['bad magic', (b) => (b.write('DIRD', 0, 'latin1'), b)],
    ['version 5', (b) => (b.writeUInt32BE(5, 4), b)],
    ['the first name length off by one', (b) => (b.writeUInt16BE(b.readUInt16BE(72) + 1, 72), b)],
    // README.md: 9 bytes and 8 both pad the entry to 72 bytes, so only its NUL tells
    ['the first name length one shorter', (b) => (b.writeUInt16BE(b.readUInt16BE(72) - 1, 72), b)],
    ['cut into the last entry', (b) => Buffer.concat([b.subarray(0, extAt(b, 'TREE') - 3), b.subarray(b.length - 20)])],
    ['the extended flag in v2', (b) => (b.writeUInt16BE(b.readUInt16BE(72) | 0x4000, 72), b)],
    ['a byte after the checksum', (b) => Buffer.concat([b, Buffer.from([0])])],
  ];
  for (const [what, damage] of damages) {
    for (const [dir, f, good] of [[base, file, whole], [clean, cleanFile, cleanWhole]] as const) {
      fs.writeFileSync(f, damage(Buffer.from(good)));
      same(dir, { fast: false }, `${what} (${dir === base ? 'a conflict' : 'clean'})`);
    }
  }
  // the checksum is not read, by git either: a zeroed one (index.skipHash) changes nothing
  const zeroed = Buffer.from(cleanWhole);
  zeroed.fill(0, zeroed.length - 20);
  fs.writeFileSync(cleanFile, zeroed);
  same(clean, { fast: true, conflicts: false }, 'a zeroed checksum');
  fs.writeFileSync(file, Buffer.concat([whole.subarray(0, whole.length - 20), Buffer.alloc(20)]));
  same(base, { fast: false, conflicts: true }, 'a zeroed checksum on a conflict');
  assert.equal(noUnmerged(Buffer.alloc(0)), false);
});

/** A one-entry index: stat data and object name all zeros, `flags`, then `rest` (name, padding), a zero checksum. */
function oneEntry(version: number, flags: number, rest: Buffer): Buffer {
  const head = Buffer.alloc(12 + 62);
  head.write('DIRC', 0, 'latin1');
  head.writeUInt32BE(version, 4);
  head.writeUInt32BE(1, 8);
  head.writeUInt16BE(flags, 72);
  return Buffer.concat([head, rest, Buffer.alloc(20)]);
}

test('entries made by hand: the shapes git reads, and ones it writes never, left to git', () => {
  const repo = makeGitRepo();
  const file = indexOf(repo);
  const ab = (...bytes: number[]) => Buffer.from(bytes);
  // the shapes themselves, as git reads them: "ab" and 8 NULs (a 72-byte entry, v2), and in v4 (strip 0, no padding)
  fs.writeFileSync(file, oneEntry(2, 2, ab(0x61, 0x62, 0, 0, 0, 0, 0, 0, 0, 0)));
  same(repo, { fast: true, conflicts: false }, 'one v2 entry');
  fs.writeFileSync(file, oneEntry(4, 2, ab(0, 0x61, 0x62, 0)));
  same(repo, { fast: true, conflicts: false }, 'one v4 entry');
  fs.writeFileSync(file, oneEntry(4, 0x2002, ab(0, 0x61, 0x62, 0)));
  same(repo, { fast: false, conflicts: true }, 'one v4 entry of stage 2');
  // v4: the first name strips 1 byte of none, its NUL where that would put it: git ignores a strip on a block's
  // first name (and dies on one longer than the name before it further on); not what git writes: left to git
  fs.writeFileSync(file, oneEntry(4, 2, ab(1, 0x61, 0x62, 0x63, 0)));
  same(repo, { fast: false }, 'a v4 name stripping more than the name before it');
  // v2: "ab" and its NUL, then the checksum where the padding would be: git reads the entry (its padding is never
  // read), but the file does not hold what it says; left to git
  fs.writeFileSync(file, oneEntry(2, 2, ab(0x61, 0x62, 0, 0)));
  same(repo, { fast: false }, 'an entry whose padding runs into the checksum');
  // a length of 0xFFF ("count the name") on a short name: git counts it, but never writes it so
  fs.writeFileSync(file, oneEntry(2, 0xfff, ab(0x61, 0x62, 0, 0, 0, 0, 0, 0, 0, 0)));
  same(repo, { fast: false }, 'a short name stated as 0xFFF');
});

test("probeRepo reads the index of the work tree it is asked about: a linked worktree's own, and git prints its conflict", async () => {
  const repo = makeGitRepo();
  const wt = path.join(tmpDir('ar-idx-'), 'wt');
  g(repo, 'worktree', 'add', '-q', '-b', 'side', wt);
  const blob = git(repo, 'hash-object', '-w', 'README.md');
  execFileSync('git', ['update-index', '--index-info'], { cwd: wt, input: [1, 2, 3].map((s) => `100644 ${blob} ${s}\tc.txt\n`).join('') });
  const main = probeRepo(repo);
  assert.deepEqual([main.plain, await main.unmerged], [true, '']);
  const linked = probeRepo(wt);
  assert.equal(linked.plain, true);
  assert.match(await linked.unmerged, /\tc\.txt\0/);
  assert.equal(await linked.unmerged, lsFiles(wt).out);
});
