// What `git ls-files -u` answers where it answers nothing: no unmerged entry in the index, read from the index file
// itself for the plain layouts (git-discover.ts), where every round otherwise paid a git process for it (a spawn
// costs the main thread about 3 ms; docs/performance.md). It never prints entries: any entry of a stage but 0 is a
// conflict, rare, and git is asked to print it. So '' only where the file proves it, null (ask git) whenever:
//   - the file is not a regular file, is over INDEX_MAX (git's own reader is the faster one there), or is not
//     one of the formats 2, 3 and 4 with SHA-1 names, entries and extensions filling it exactly up to the
//     20-byte checksum (a SHA-256 index, 32 bytes to a name and a checksum, does not fit: it goes to git anyway,
//     as git-discover sends any `extensions` config there);
//   - an entry does not fit exactly: a name length that is not where its NUL is, padding that is not NULs, a
//     v4 prefix that strips more than the previous name has, an extended flag in v2 or one git does not know;
//   - an extension may change the entries: `link` (a split index, the entries are in another file), `sdir` (a
//     sparse index, git expands it), IEOT (git may read entries from its offsets), or any not known to change
//     nothing; EOIE only where the offset it names is where the entries end (git may read extensions from it).
// No index file at all is an empty index to git too (a repository before its first `git add`): ''.
// The checksum is not verified, as git does not verify it either when it reads the index (only fsck does, and it
// needs SHA-1: node:crypto costs more to load than the process saved). So a damaged index whose structure
// still holds reads as git reads it; where git would refuse it ("index file corrupt", "malformed name field"),
// the structure checks above are what refuses it here. `index.skipHash` (a zeroed checksum) changes nothing.
// The file is read through one descriptor: git replaces the index by a rename, so what is read is one index.
import * as path from 'node:path';
import { readRegular } from '../state/read-file.js';

/** 2 MiB: about 25,000 entries. Past that git's ls-files reads it faster than this reader would. */
export const INDEX_MAX = 2 * 1024 * 1024;

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
  let b: Buffer;
  try {
    b = readRegular(path.join(gitDir, 'index'), INDEX_MAX);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? '' : null;
  }
  return noUnmerged(b) ? '' : null;
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
    const flags = b.readUInt16BE(start + FIXED - 2);
    if (flags & STAGE) return false;
    let name = start + FIXED;
    if (flags & EXTENDED) {
      if (version < 3 || name + 2 > end || b.readUInt16BE(name) & ~KNOWN_EXTENDED) return false;
      name += 2;
    }
    let kept = 0;
    if (version === 4) {
      const strip = varint(b, name, end);
      if (strip === null || strip.value > previous) return false;
      kept = previous - strip.value;
      name = strip.next;
    }
    const nul = b.indexOf(0, name);
    if (nul < 0 || nul >= end) return false;
    const len = kept + nul - name;
    const stated = flags & NAME_MASK;
    // git takes the stated length (strlen only at 0xFFF): the NUL must be exactly there
    if (stated === NAME_MASK ? len < NAME_MASK : len !== stated) return false;
    at = nul + 1;
    if (version !== 4) {
      // 1 to 8 NULs, the entry a multiple of 8 bytes long
      const padded = start + ((name - start + len + 8) & ~7);
      if (padded > end) return false;
      for (; at < padded; at++) if (b[at] !== 0) return false;
    }
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
  return at === end;
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
