// The state dir is agent-runner's own, or it is not touched (issue 23). Ours means: made by agent-runner
// (which writes the marker `.agent-runner-state` at once), an empty dir it adopted (marker written, mode left
// as it was), or a dir an earlier version made, recognised by holding nothing but agent-runner's own files.
// A mode is set only on a dir agent-runner creates, when it creates it (0700): an existing dir keeps its mode
// (`doctor` reports a state dir or file wider than 0700 / 0600). A dir that is none of these is refused with
// one line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors.js';
import { ensureDir, removeIfPresent } from './files.js';
import { readLock } from './lock.js';
import { STATE_MARKER, statePaths } from './paths.js';

export type StateDirKind =
  | 'missing' // nothing there yet: the first writer makes it
  | 'ours' // carries the marker
  | 'legacy' // no marker, but only files an earlier agent-runner wrote
  | 'empty' // an empty dir: a writer adopts it
  | 'foreign' // somebody else's: refused
  | 'not_dir'
  | 'unreadable'; // cannot be listed (permission denied): cannot tell whose it is

/** The names an earlier version wrote at the top of a state dir: every file of `statePaths`, named once there. */
const OWN_NAMES: ReadonlySet<string> = new Set(
  Object.values(statePaths('/')).flatMap((v) => (typeof v === 'string' && v !== '/' ? [path.basename(v)] : [])).concat('lock.recover'),
);
/** a temp file of writeFileAtomic (`.<pid>.<ms>.tmp`) or of the lock (`.<pid>.<hex>.tmp`) */
const TEMP_SUFFIX = /\.\d+\.[0-9a-f]+\.tmp$/;
const PROBE = /^\.(space-)?probe-\d+$/;
const ROUND_FILE = /^\d+\.(log|events\.jsonl)$/;
/** at least one of these, or a lock that reads as ours: a dir holding only, say, another tool's `lock` is not ours */
const LEDGER_NAMES = ['rounds.jsonl', 'events.jsonl', 'rounds'];

function ourLock(file: string): boolean {
  const h = readLock(file);
  return h !== null && (h.role === 'round' || h.role === 'serve') && typeof h.since === 'string';
}

function ownTopName(name: string): boolean {
  const base = name.replace(TEMP_SUFFIX, '').replace(/\.corrupt$/, '');
  return OWN_NAMES.has(base) || PROBE.test(name);
}

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}

/** Whose `dir` is. Reads only: lstat and readdir. */
export function stateDirKind(dir: string): StateDirKind {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    if (code(e) === 'ENOENT') return 'missing';
    if (code(e) === 'ENOTDIR') return 'not_dir';
    return 'unreadable';
  }
  if (!st.isDirectory()) return 'not_dir';
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 'unreadable';
  }
  if (names.includes(STATE_MARKER)) return 'ours';
  if (names.length === 0) return 'empty';
  if (!names.every(ownTopName)) return 'foreign';
  if (!LEDGER_NAMES.some((n) => names.includes(n)) && !(names.includes('lock') && ourLock(path.join(dir, 'lock')))) return 'foreign';
  if (names.includes('rounds')) {
    const rounds = path.join(dir, 'rounds');
    try {
      if (!fs.lstatSync(rounds).isDirectory()) return 'foreign';
      if (!fs.readdirSync(rounds).every((n) => ROUND_FILE.test(n.replace(TEMP_SUFFIX, '')))) return 'foreign';
    } catch {
      return 'unreadable';
    }
  }
  return 'legacy';
}

/** True when agent-runner may write in `dir` without claiming it first: marked, or an earlier version's. */
export function holdsOwnState(dir: string): boolean {
  const kind = stateDirKind(dir);
  return kind === 'ours' || kind === 'legacy';
}

/** The one line for a dir agent-runner must not use; null when it may. */
export function refusalOf(dir: string, kind: StateDirKind): string | null {
  switch (kind) {
    case 'foreign':
      return `state_dir ${dir} is not empty and was not made by agent-runner; name a new directory`;
    case 'not_dir':
      return `state_dir ${dir} is not a directory; name a new directory`;
    case 'unreadable':
      return `state_dir ${dir} cannot be read (permission denied?), so agent-runner cannot tell whose it is; name a directory you own`;
    default:
      return null;
  }
}

/**
 * For verbs that only read the state dir (status, peek, stop …): refuse a dir that is not ours; create,
 * mark and chmod nothing, whatever the dir holds.
 */
export function checkStateDirForReading(dir: string): void {
  const refused = refusalOf(dir, stateDirKind(dir));
  if (refused) throw new ConfigError(refused);
}

export type Claim = 'created' | 'ours' | 'adopted' | 'recognised';

/**
 * For verbs that write (round, serve, start): make the state dir, or take an existing one that is ours or
 * empty, and mark it. `notice` hears of an adoption. A dir of somebody else's throws a ConfigError.
 */
export function claimStateDir(dir: string, notice: (line: string) => void = toStderr): Claim {
  // a second look only when another process made the dir between the first look and our mkdir
  for (let attempt = 0; attempt < 3; attempt++) {
    const kind = stateDirKind(dir);
    const refused = refusalOf(dir, kind);
    if (refused) throw new ConfigError(refused);
    if (kind === 'missing') {
      if (!makeDir(dir)) continue;
      writeMarker(dir);
      return 'created';
    }
    if (kind === 'empty') {
      writeMarker(dir);
      notice(`adopted the empty directory ${dir} as the state dir (marked ${STATE_MARKER}; its mode is left as it is)`);
      return 'adopted';
    }
    if (kind === 'legacy') {
      writeMarker(dir);
      notice(`recognised ${dir} as a state dir of an earlier agent-runner (marked ${STATE_MARKER})`);
      return 'recognised';
    }
    probeWritable(dir);
    return 'ours';
  }
  throw new ConfigError(`state_dir ${dir} keeps changing while agent-runner looks at it; try again`);
}

function makeDir(dir: string): boolean {
  try {
    return ensureDir(dir);
  } catch (e) {
    // ENOENT: a parent that takes no new dir (/proc)
    if (['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOENT'].includes(code(e))) {
      throw new ConfigError(`cannot create state_dir ${dir} (${code(e)}); name a directory you may create, or fix the permissions of its parent`);
    }
    throw e;
  }
}

/** Empty on purpose: it costs no data block, so a full disk does not stop a dir from being claimed. */
function writeMarker(dir: string): void {
  try {
    fs.closeSync(fs.openSync(path.join(dir, STATE_MARKER), 'wx', 0o600));
  } catch (e) {
    if (code(e) === 'EEXIST') return; // another supervisor marked it a moment ago
    throw notWritable(dir, e);
  }
}

/**
 * A state dir of ours that takes no new file (a read-only mount, a dir without write permission) would
 * fail at the first state write, mid-start: say so now, once. An empty file, like the marker, so a full
 * disk is left to the disk-full path.
 */
function probeWritable(dir: string): void {
  const probe = path.join(dir, `.probe-${process.pid}`);
  try {
    fs.closeSync(fs.openSync(probe, 'w', 0o600));
    removeIfPresent(probe);
  } catch (e) {
    throw notWritable(dir, e);
  }
}

const NOT_WRITABLE = ['EACCES', 'EPERM', 'EROFS'];

function notWritable(dir: string, e: unknown): unknown {
  if (!NOT_WRITABLE.includes(code(e))) return e;
  return new ConfigError(`state_dir ${dir} is not writable (${code(e)}); make it writable, or name another directory`);
}

function toStderr(line: string): void {
  process.stderr.write(`agent-runner: ${line}\n`);
}
