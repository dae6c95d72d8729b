// What `git ls-files -u` answers where it answers nothing: no unmerged entry in the index, read from the index file
// itself for the plain layouts (git-discover.ts), where every round otherwise paid a git process for it (a spawn
// costs the main thread about 3 ms; docs/performance.md). It never prints entries: any entry of a stage but 0 is a
// conflict, rare, and git is asked to print it. So '' only where the file proves it, null (ask git) whenever:
//   - the file is not a regular file, is over INDEX_MAX (git's own reader is the cheaper one there), or is not
//     one of the formats 2, 3 and 4 with SHA-1 names, entries and extensions filling it exactly up to the
//     20-byte checksum (a SHA-256 index, 32 bytes to a name and a checksum, does not fit: it goes to git anyway,
//     as git-discover sends any `extensions` config there);
//   - an entry does not fit exactly: a name length that is not where its NUL is, a v4 prefix that strips more
//     than the previous name has, an extended flag in v2 or one git does not know;
//   - an extension may change the entries: `link` (a split index, the entries are in another file), `sdir` (a
//     sparse index, git expands it), IEOT (git may read entries from its offsets), or any not known to change
//     nothing; EOIE only where the offset it names is where the entries end (git may read extensions from it).
// No index file at all is an empty index to git too (a repository before its first `git add`): ''.
// The checksum is not verified, as git does not verify it either when it reads the index (only fsck does, and it
// needs SHA-1: node:crypto costs more to load than the process saved). So a damaged index whose structure
// still holds reads as git reads it; where git would refuse it ("index file corrupt", "malformed name field"),
// the structure checks above are what refuses it here. `index.skipHash` (a zeroed checksum) changes nothing.
// The file is read through one descriptor: git replaces the index by a rename, so what is read is one index.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openRegular } from '../state/read-file.js';

/**
 * 1 MiB: about 10,000 entries. The loop runs once a round, mostly in the interpreter: about 0.7 ms for 3,000
 * entries, 4 to 12 ms for 21,500 (measured on a busy 2-core machine), where the process it saves costs the main
 * thread about 3 ms and does its own reading elsewhere. Past this bound git's ls-files is the cheaper reader.
 */
export const INDEX_MAX = 1024 * 1024;

const HASH = 20;
const HEADER = 12;
/** stat data (40 bytes), the object name, the 16-bit flags */
const FIXED = 40 + HASH + 2;
const EXTENDED = 0x4000;
const STAGE = 0x3000;
const NAME_MASK = 0xfff;
/** the extended flags git knows: skip-worktree and intent-to-add; any other bit git refuses */
const KNOWN_EXTENDED = 0x6000;
/** the cache tree, resolve-undo (a conflict resolved), the untracked cache, fsmonitor's bitmap: no entry changes */
const HARMLESS = new Set(['TREE', 'REUC', 'UNTR', 'FSMN']);

/** '' where the index at `gitDir` provably has no unmerged entry (what ls-files -u prints then); null: ask git. */
export function unmergedFromIndex(gitDir: string): '' | null {
  let file: { fd: number; size: number };
  try {
    file = openRegular(path.join(gitDir, 'index'));
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? '' : null;
  }
  try {
    if (file.size > INDEX_MAX) return null;
    // one read of a byte more than fstat said: the whole file, and proof that it ends there
    const b = Buffer.allocUnsafe(file.size + 1);
    return fs.readSync(file.fd, b, 0, file.size + 1, 0) === file.size && noUnmerged(b.subarray(0, file.size)) ? '' : null;
  } catch {
    return null;
  } finally {
    fs.closeSync(file.fd);
  }
}

/** Every entry of stage 0, and the whole file accounted for. Pure. */
export function noUnmerged(b: Buffer): boolean {
  const end = b.length - HASH;
  if (end < HEADER || b.toString('latin1', 0, 4) !== 'DIRC') return false;
  const version = b.readUInt32BE(4);
  if (version < 2 || version > 4) return false;
  const count = b.readUInt32BE(8);
  let at = HEADER;
  let previous = 0; // the previous name's length, which a v4 name is cut from
  for (let i = 0; i < count; i++) {
    const start = at;
    if (start + FIXED > end) return false;
    // read in place, not through a call: this loop runs once a round, mostly in the interpreter
    const flags = (b[start + FIXED - 2] << 8) | b[start + FIXED - 1];
    if (flags & STAGE) return false;
    let name = start + FIXED;
    if (flags & EXTENDED) {
      if (version < 3 || name + 2 > end || ((b[name] << 8) | b[name + 1]) & ~KNOWN_EXTENDED) return false;
      name += 2;
    }
    let kept = 0;
    if (version === 4) {
      const strip = varint(b, name, end);
      if (strip === null || strip.value > previous) return false;
      kept = previous - strip.value;
      name = strip.next;
    }
    // git takes the stated length, where its NUL must be (and strlen only at 0xFFF, a length of 0xFFF or more)
    const stated = flags & NAME_MASK;
    const nul = stated === NAME_MASK ? b.indexOf(0, name) : name + stated - kept;
    if (nul < name || nul >= end || b[nul] !== 0) return false;
    const len = kept + nul - name;
    if (stated === NAME_MASK && len < NAME_MASK) return false;
    // v2 and v3 pad the entry with 1 to 8 NULs to a multiple of 8 bytes; git skips them unread, and so does this
    at = version === 4 ? nul + 1 : start + ((name - start + len + 8) & ~7);
    if (at > end) return false;
    previous = len;
  }
  const entriesEnd = at;
  while (at < end) {
    if (at + 8 > end) return false;
    const sig = b.toString('latin1', at, at + 4);
    const size = b.readUInt32BE(at + 4);
    const data = at + 8;
    if (size > end - data) return false;
    if (sig === 'EOIE') {
      if (size !== 4 + HASH || b.readUInt32BE(data) !== entriesEnd) return false;
    } else if (!HARMLESS.has(sig)) return false;
    at = data + size;
  }
  return true; // at is end: each extension was bounded by it
}

/** git's varint (varint.c, the OFS_DELTA encoding): each continued byte adds one before the shift. */
function varint(b: Buffer, at: number, end: number): { value: number; next: number } | null {
  if (at >= end) return null;
  let c = b[at++];
  let value = c & 127;
  while (c & 128) {
    // no name is near this long: past it the number could only be garbage (and lose precision)
    if (at >= end || value > 0xffffff) return null;
    c = b[at++];
    value = (value + 1) * 128 + (c & 127);
  }
  return { value, next: at };
}
